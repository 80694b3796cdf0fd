"""The service kit every service is built from: database, outbox, inbox, dead letters, signing, web."""
