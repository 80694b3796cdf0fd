-- Run once by the postgres image on an empty data volume
-- (mounted at /docker-entrypoint-initdb.d). One database per service.
CREATE ROLE aftersales WITH LOGIN PASSWORD 'aftersales';

CREATE DATABASE staff     OWNER aftersales;
CREATE DATABASE booking   OWNER aftersales;
CREATE DATABASE reception OWNER aftersales;
CREATE DATABASE workshop  OWNER aftersales;
CREATE DATABASE parts     OWNER aftersales;
CREATE DATABASE billing   OWNER aftersales;
CREATE DATABASE followup  OWNER aftersales;
