-- Why: other modules' tables may refer to a station together with its environment (the pagoPA registry's links, migration 0022), which a foreign key can do only to a unique key; `id` is already unique, so this key holds no new rule and refuses nothing (issue 12, docs/adr/0011).
ALTER TABLE stations ADD CONSTRAINT stations_id_environment UNIQUE (id, environment);

