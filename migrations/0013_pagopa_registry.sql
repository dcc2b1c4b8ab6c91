-- Why: the pagoPA registry (issue 11). Varco plays the node, so it must know per environment which
-- PSPs (with their broker and channels) may call it, which creditor institutions (ECs) it serves and
-- which station serves each EC's notices (aux digit + segregation/application code). Identifier
-- uniqueness and routing uniqueness are constraints here, not checks in code, so two requests or two
-- Varco instances can never register the same idPSP/idChannel twice or give a notice two stations.
-- Channel passwords are stored only as argon2id hashes (docs/adr/0017-pagopa-registry.md).

-- A PSP broker (intermediario PSP): the party whose channels call the node. One organisation owns it;
-- its own enable flag gives PPT_INTERMEDIARIO_PSP_DISABILITATO.
CREATE TABLE pagopa_psp_brokers (
  environment text NOT NULL CHECK (environment IN ('test', 'prod')),
  id_broker_psp text NOT NULL CHECK (id_broker_psp ~ '^[A-Za-z0-9._-]{1,35}$'),
  organisation_id text NOT NULL REFERENCES organisations (id),
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (environment, id_broker_psp),
  -- Target of the PSP's foreign key: a PSP and its broker have the same owner.
  UNIQUE (environment, id_broker_psp, organisation_id)
);

-- Identifiers are case-sensitive, as on the wire.
CREATE TABLE pagopa_psps (
  id text PRIMARY KEY,
  organisation_id text NOT NULL REFERENCES organisations (id),
  environment text NOT NULL CHECK (environment IN ('test', 'prod')),
  id_psp text NOT NULL CHECK (id_psp ~ '^[A-Za-z0-9._-]{1,35}$'),
  id_broker_psp text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pagopa_psps_env_id_psp UNIQUE (environment, id_psp),
  UNIQUE (id, environment),
  FOREIGN KEY (environment, id_broker_psp, organisation_id) REFERENCES pagopa_psp_brokers (environment, id_broker_psp, organisation_id)
);
CREATE INDEX pagopa_psps_organisation ON pagopa_psps (organisation_id);

CREATE TABLE pagopa_channels (
  id text PRIMARY KEY,
  psp_id text NOT NULL,
  environment text NOT NULL,
  id_channel text NOT NULL CHECK (id_channel ~ '^[A-Za-z0-9._-]{1,35}$'),
  -- argon2id only: a plain or weakly hashed password can never be stored by mistake.
  password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  password_set_at timestamptz NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pagopa_channels_env_id_channel UNIQUE (environment, id_channel),
  -- The channel's environment is its PSP's.
  FOREIGN KEY (psp_id, environment) REFERENCES pagopa_psps (id, environment)
);
CREATE INDEX pagopa_channels_psp ON pagopa_channels (psp_id);

-- A creditor institution served by the node in an environment; its fiscal code is the
-- organisation's tax code.
CREATE TABLE pagopa_ecs (
  organisation_id text NOT NULL REFERENCES organisations (id),
  environment text NOT NULL CHECK (environment IN ('test', 'prod')),
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organisation_id, environment)
);

CREATE TABLE pagopa_ec_links (
  id text PRIMARY KEY,
  organisation_id text NOT NULL,
  environment text NOT NULL,
  station_id text NOT NULL REFERENCES stations (id),
  aux_digit smallint NOT NULL CHECK (aux_digit BETWEEN 0 AND 3),
  segregation_code text CHECK (segregation_code ~ '^[0-9]{2}$'),
  application_code text CHECK (application_code ~ '^[0-9]{2}$'),
  primitive_version smallint NOT NULL CHECK (primitive_version IN (1, 2)),
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (organisation_id, environment) REFERENCES pagopa_ecs (organisation_id, environment),
  -- aux 3 routes by segregation code, aux 0 by application code, aux 1 and 2 by the digit alone.
  CHECK ((aux_digit = 3) = (segregation_code IS NOT NULL)),
  CHECK ((aux_digit = 0) = (application_code IS NOT NULL))
);
-- Routing uniqueness: one station per (EC, aux digit, code), enabled or not.
CREATE UNIQUE INDEX pagopa_ec_links_route ON pagopa_ec_links (environment, organisation_id, aux_digit, (coalesce(segregation_code, application_code, '')));
CREATE INDEX pagopa_ec_links_station ON pagopa_ec_links (station_id);

-- A link's station is of the link's environment. stations has no (id, environment) key to refer to,
-- and that table belongs to the stations module, so a trigger of this module checks it.
CREATE FUNCTION pagopa_ec_links_station_environment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM stations WHERE id = NEW.station_id AND environment = NEW.environment) THEN
    RAISE EXCEPTION 'station % is not of environment %', NEW.station_id, NEW.environment USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER pagopa_ec_links_station_environment BEFORE INSERT OR UPDATE OF station_id, environment ON pagopa_ec_links
  FOR EACH ROW EXECUTE FUNCTION pagopa_ec_links_station_environment();
