DROP TABLE associate_links;
--bun:split
DROP TABLE associates;
--bun:split
DROP TABLE associate_classifications;
--bun:split
DROP TABLE offices;
