DROP TABLE client_stars;
