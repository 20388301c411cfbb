-- Each service owns its own database (DESIGN.md): no service reads another's tables.
CREATE DATABASE registry;
CREATE DATABASE matching;
CREATE DATABASE appreciation;
CREATE DATABASE reporting;
