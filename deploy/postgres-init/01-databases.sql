-- Run once by the postgres image on an empty data volume (mounted at /docker-entrypoint-initdb.d), as
-- POSTGRES_USER (aftersales), who then owns them. One database per service.
CREATE DATABASE staff;
CREATE DATABASE booking;
CREATE DATABASE reception;
CREATE DATABASE workshop;
CREATE DATABASE parts;
CREATE DATABASE billing;
CREATE DATABASE followup;
