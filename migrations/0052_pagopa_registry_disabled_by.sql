-- Why: a referent could switch back on a PSP, broker, channel, EC or EC link that a platform administrator
-- had switched off (for abuse, a failed review): the registry kept only `enabled`, not who switched it off.
-- `disabled_by` says it ('organisation': a referent; 'administrator': the back office, the CLI), and is set
-- exactly when the record is off. A referent may switch back on only what the organisation switched off.
-- Records off today take the side of the audit row that switched them off (a referent's: the
-- organisation's); one without such a row is the administrator's, the side that may always switch it on.
ALTER TABLE pagopa_psp_brokers ADD COLUMN disabled_by text CHECK (disabled_by IN ('organisation', 'administrator'));
ALTER TABLE pagopa_psps ADD COLUMN disabled_by text CHECK (disabled_by IN ('organisation', 'administrator'));
ALTER TABLE pagopa_channels ADD COLUMN disabled_by text CHECK (disabled_by IN ('organisation', 'administrator'));
ALTER TABLE pagopa_ecs ADD COLUMN disabled_by text CHECK (disabled_by IN ('organisation', 'administrator'));
ALTER TABLE pagopa_ec_links ADD COLUMN disabled_by text CHECK (disabled_by IN ('organisation', 'administrator'));

CREATE FUNCTION pagopa_disabled_by_0052(subject_type text, subject_id text, action text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE (SELECT a.actor_type FROM audit_log a
               WHERE a.subject_type = $1 AND a.subject_id = $2 AND a.action = $3
               ORDER BY a.seq DESC LIMIT 1)
         WHEN 'referent' THEN 'organisation' ELSE 'administrator' END
$$;

UPDATE pagopa_psp_brokers SET disabled_by = pagopa_disabled_by_0052('pagopa_broker', environment || ':' || id_broker_psp, 'pagopa.broker.disabled')
WHERE NOT enabled;
UPDATE pagopa_psps SET disabled_by = pagopa_disabled_by_0052('pagopa_psp', id, 'pagopa.psp.disabled') WHERE NOT enabled;
UPDATE pagopa_channels SET disabled_by = pagopa_disabled_by_0052('pagopa_channel', id, 'pagopa.channel.disabled') WHERE NOT enabled;
UPDATE pagopa_ecs SET disabled_by = pagopa_disabled_by_0052('pagopa_ec', organisation_id || ':' || environment, 'pagopa.ec.disabled') WHERE NOT enabled;
UPDATE pagopa_ec_links SET disabled_by = pagopa_disabled_by_0052('pagopa_ec_link', id, 'pagopa.ec_link.disabled') WHERE NOT enabled;

DROP FUNCTION pagopa_disabled_by_0052(text, text, text);

-- Off exactly when someone is named as having switched it off.
ALTER TABLE pagopa_psp_brokers ADD CONSTRAINT pagopa_psp_brokers_disabled_by_when_off CHECK (enabled = (disabled_by IS NULL));
ALTER TABLE pagopa_psps ADD CONSTRAINT pagopa_psps_disabled_by_when_off CHECK (enabled = (disabled_by IS NULL));
ALTER TABLE pagopa_channels ADD CONSTRAINT pagopa_channels_disabled_by_when_off CHECK (enabled = (disabled_by IS NULL));
ALTER TABLE pagopa_ecs ADD CONSTRAINT pagopa_ecs_disabled_by_when_off CHECK (enabled = (disabled_by IS NULL));
ALTER TABLE pagopa_ec_links ADD CONSTRAINT pagopa_ec_links_disabled_by_when_off CHECK (enabled = (disabled_by IS NULL));
