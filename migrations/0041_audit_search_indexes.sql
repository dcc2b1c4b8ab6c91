-- varco:concurrently
-- Why: the back office's audit search (/admin/audit) narrows by action code or its start, by actor (the
-- accounts whose e-mail matches) and by subject id, newest first by seq. Without these indexes a rare
-- action, actor or subject on a long log was a scan of the log from its newest row. Built
-- concurrently (docs/adr/0037-concurrent-index-migrations.md): audited actions go on while they build.
-- text_pattern_ops: `action LIKE 'prefix%'` uses the index whatever the database's collation.
CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_log_action ON audit_log (action text_pattern_ops, seq);
CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_log_subject_id ON audit_log (subject_id, seq);
