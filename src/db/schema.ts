import type { ColumnType, Generated } from 'kysely';

// Table types for Kysely. Each module owns its tables (see docs/adr/0001); the types live here so
// the database layer can be typed without modules importing each other's repositories.

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string, string>;

export interface UsersTable {
  id: string;
  kind: 'admin' | 'referent';
  email: string;
  password_hash: string | null;
  first_name: string | null;
  last_name: string | null;
  locale: ColumnType<'en' | 'it', 'en' | 'it' | undefined, 'en' | 'it'>;
  created_at: DefaultTimestamp;
  disabled_at: Timestamp | null;
  organisation_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface SessionsTable {
  token_hash: string;
  id: string;
  user_id: string;
  surface: 'admin' | 'portal';
  csrf_token: string;
  ip: string | null;
  user_agent: string | null;
  created_at: DefaultTimestamp;
  last_seen_at: DefaultTimestamp;
  expires_at: Timestamp;
}

export interface SigninThrottleTable {
  key: string;
  failures: number;
  window_started_at: Timestamp;
  locked_until: Timestamp | null;
}

export interface SetupTokensTable {
  token_hash: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface AuditLogTable {
  seq: Generated<number>;
  id: string;
  at: Timestamp;
  actor_type: string;
  actor_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  organisation_id: string | null;
  ip: string | null;
  details: Json;
  prev_hash: string;
  hash: string;
  /** 'sha256': plain, written before migration 0011; 'hmac-sha256': keyed (src/modules/audit). */
  scheme: 'sha256' | 'hmac-sha256';
}

/** Signed checkpoints of the audit log (migration 0011); `mac` is null only for the migration's own. */
export interface AuditCheckpointsTable {
  audit_seq: number;
  hash: string;
  row_count: number;
  at: Timestamp;
  mac: string | null;
}

export type OrganisationType = 'creditor_institution' | 'psp' | 'merchant' | 'technology_partner';
export type Environment = 'test' | 'prod';
export type SubscriptionState = 'submitted' | 'active' | 'rejected' | 'suspended' | 'cancelled' | 'expired';

export interface OrganisationsTable {
  id: string;
  name: string;
  tax_code: string;
  tax_code_kind: 'it' | 'other';
  type: OrganisationType;
  contact_email: string;
  created_at: DefaultTimestamp;
}

export interface ProductsTable {
  id: string;
  code: string;
  name: string;
  description: ColumnType<string, string | undefined, string>;
  route_groups: string[];
  approval_required_test: ColumnType<boolean, boolean | undefined, boolean>;
  approval_required_prod: ColumnType<boolean, boolean | undefined, boolean>;
  rate_limit_per_minute: ColumnType<number, number | undefined, number>;
  created_at: DefaultTimestamp;
}

export interface UserProductsTable {
  user_id: string;
  product_id: string;
}

export interface InvitationsTable {
  id: string;
  /** 0012: the hash of the latest token, made when the e-mail is sent or an administrator asks for a link; null before. */
  token_hash: string | null;
  organisation_id: string;
  email: string;
  first_name: string;
  last_name: string;
  locale: ColumnType<'en' | 'it', 'en' | 'it' | undefined, 'en' | 'it'>;
  product_ids: string[];
  invited_by: string | null;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  superseded_at: Timestamp | null;
  user_id: string | null;
}

export interface SubscriptionsTable {
  id: string;
  organisation_id: string;
  product_id: string;
  environment: Environment;
  name: string;
  state: SubscriptionState;
  state_comment: string | null;
  created_by: string | null;
  created_at: DefaultTimestamp;
  state_changed_at: DefaultTimestamp;
  expires_at: Timestamp | null;
  inbound_verified_at: Timestamp | null;
}

export interface ApiKeysTable {
  id: string;
  subscription_id: string;
  slot: 'primary' | 'secondary';
  key_hash: string;
  prefix: string;
  last4: string;
  created_at: DefaultTimestamp;
  revealed_at: Timestamp | null;
  retired_at: Timestamp | null;
  valid_until: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface OutboxTable {
  id: string;
  channel: 'email' | 'http' | 'soap';
  payload: Json;
  /** 0019: `exhausted` (retries ran out, the owner told) apart from `dead` (given up at once). */
  state: ColumnType<'pending' | 'held' | 'delivered' | 'dead' | 'exhausted', 'pending' | 'held' | undefined, 'pending' | 'held' | 'delivered' | 'dead' | 'exhausted'>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: DefaultTimestamp;
  lease_owner: string | null;
  lease_expires_at: Timestamp | null;
  last_error: string | null;
  organisation_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  created_at: DefaultTimestamp;
  delivered_at: Timestamp | null;
}

export interface OutboxAttemptsTable {
  id: Generated<number>;
  message_id: string;
  attempt: number;
  started_at: Timestamp;
  duration_ms: number;
  ok: boolean;
  status_code: number | null;
  error: string | null;
  worker: string | null;
}

/** Shared per-minute /api request counts per subscription (migration 0003, unlogged). */
export interface ApiRateWindowsTable {
  subscription_id: string;
  window_start: Timestamp;
  count: number;
}

export type StationVersionState = 'to_check' | 'to_fix' | 'approved' | 'superseded';

export interface StationsTable {
  id: string;
  organisation_id: string;
  environment: Environment;
  code: string;
  /** An administrator allowed this station's hosts to be shared with other organisations' stations. */
  shared_host_allowed: ColumnType<boolean, boolean | undefined, boolean>;
  /** Starts of the last portal verifications (rate limit: a few per minute). */
  portal_verifications: ColumnType<Date[], Date[] | undefined, Date[]>;
  connect_timeout_ms: ColumnType<number, number | undefined, number>;
  response_timeout_ms: ColumnType<number, number | undefined, number>;
  approved_version_id: string | null;
  connection_state: ColumnType<'unverified' | 'verified' | 'failing', 'unverified' | 'verified' | 'failing' | undefined, 'unverified' | 'verified' | 'failing'>;
  outbound_verified_at: Timestamp | null;
  last_check_at: Timestamp | null;
  flagged_at: Timestamp | null;
  created_at: DefaultTimestamp;
}

export interface StationVersionsTable {
  id: string;
  station_id: string;
  version: number;
  state: StationVersionState;
  primary_url: string;
  /** Lower-case FQDN of primary_url (secondary_url): the station's hosts, one organisation each. */
  primary_host: string;
  primary_ip: string;
  primary_port: number;
  secondary_url: string | null;
  secondary_host: string | null;
  secondary_ip: string | null;
  secondary_port: number | null;
  review_note: string | null;
  submitted_by: string | null;
  submitted_at: DefaultTimestamp;
  reviewed_by: string | null;
  reviewed_at: Timestamp | null;
}

export interface StationChecksTable {
  id: string;
  station_id: string;
  version_id: string | null;
  trigger: 'portal' | 'admin' | 'cli' | 'schedule';
  ok: boolean;
  result: Json;
  started_at: Timestamp;
  duration_ms: number;
}

export interface TrustedCasTable {
  id: string;
  environment: Environment;
  /** The organisation the CA is trusted for; null: every organisation (an administrator's explicit choice). */
  organisation_id: string | null;
  pem: string;
  subject: string;
  fingerprint_sha256: string;
  not_after: Timestamp;
  added_by: string | null;
  added_at: DefaultTimestamp;
  removed_at: Timestamp | null;
}

export interface CertificateWarningsTable {
  fingerprint_sha256: string;
  days_before: number;
  sent_at: DefaultTimestamp;
}

export interface PlatformSettingsTable {
  name: string;
  value: string;
  updated_at: DefaultTimestamp;
}

export interface PlatformCasTable {
  environment: 'test' | 'prod';
  cert_pem: string;
  /** secretbox-sealed PEM private key (master key). */
  key_sealed: string;
  origin: 'created' | 'imported';
  created_at: DefaultTimestamp;
}

export interface PlatformClientCertificatesTable {
  fingerprint_sha256: string;
  environment: 'test' | 'prod';
  state: 'current' | 'next' | 'retired';
  cert_pem: string;
  /** secretbox-sealed PEM private key (master key). */
  key_sealed: string;
  origin: 'created' | 'imported';
  created_at: DefaultTimestamp;
  activated_at: Timestamp | null;
  retired_at: Timestamp | null;
}

export interface MerchantsTable {
  id: string;
  organisation_id: string;
  pspid: string;
  name: string;
  created_at: DefaultTimestamp;
}

type WithDefault<T> = ColumnType<T, T | undefined, T>;

export interface MerchantSettingsTable {
  merchant_id: string;
  environment: Environment;
  hashing_method: WithDefault<'each-parameter' | 'main-parameters'>;
  hash_algorithm: WithDefault<'sha1' | 'sha256' | 'sha512'>;
  charset: WithDefault<'page' | 'latin1' | 'utf8'>;
  referrers: WithDefault<string>;
  sha_in_sealed: string | null;
  sha_out_sealed: string | null;
  accept_url: string | null;
  decline_url: string | null;
  exception_url: string | null;
  cancel_url: string | null;
  feedback_on_redirect: WithDefault<boolean>;
  s2s_timing: WithDefault<'none' | 'deferred' | 'online' | 'online_deferred_fallback'>;
  s2s_url_accepted: string | null;
  s2s_url_declined: string | null;
  s2s_method: WithDefault<'POST' | 'GET'>;
  feedback_params: WithDefault<string[]>;
  default_operation: WithDefault<'RES' | 'SAL'>;
  payment_retries: WithDefault<number>;
  enabled_currencies: WithDefault<string[]>;
  updated_at: DefaultTimestamp;
  /** 0010: when the merchant acknowledged the risks of legacy "main parameters" hashing. */
  legacy_hashing_accepted_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** 0010: the PSPID a merchant holds in an environment (unique per environment, case-insensitively). */
export interface PspidClaimsTable {
  merchant_id: string;
  environment: Environment;
  pspid: string;
  claimed_at: DefaultTimestamp;
}

export interface OrdersTable {
  id: string;
  merchant_id: string;
  environment: Environment;
  order_ref: string;
  amount: number;
  currency: string;
  language: string;
  operation: 'RES' | 'SAL';
  status: WithDefault<number>;
  pay_id: Generated<number>;
  request: Json;
  attempts: WithDefault<number>;
  card_brand: string | null;
  card_masked: string | null;
  card_expiry: string | null;
  card_holder: string | null;
  acceptance: string | null;
  nc_error: string | null;
  paid_at: Timestamp | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  /** 0006: SHA-256 of the payment page token; the token is only in the customer's URL. */
  page_token_hash: string | null;
  /** 0006: a 3-D Secure challenge waiting for the customer (acquirer references, never card data). */
  challenge: ColumnType<unknown, string | null | undefined, string | null>;
  /** 0006: the server-to-server feedback message (outbox id = the order's event id). */
  feedback_message_id: string | null;
}

export interface PaymentAttemptsTable {
  id: string;
  order_id: string;
  attempt: number;
  outcome: string;
  status: number;
  nc_error: string | null;
  acceptance: string | null;
  card_brand: string | null;
  card_masked: string | null;
  card_expiry: string | null;
  created_at: DefaultTimestamp;
  /** 0006: the acquirer's reference of the transaction. */
  acquirer_ref: string | null;
}

export interface EcommerceErrorsTable {
  id: string;
  merchant_id: string | null;
  environment: string;
  pspid: string | null;
  order_ref: string | null;
  code: string;
  message: string;
  client_ip: string | null;
  referrer: string | null;
  debug: ColumnType<unknown, string | undefined, string>;
  created_at: DefaultTimestamp;
  /** 0010: ring of at most VARCO_ERROR_LOG_MAX_ROWS slots per bucket ('<merchant>:<env>', '*' for unknown PSPIDs). */
  bucket: string;
  slot: number;
}

/** 0010: rows written per error log bucket; the next slot is (written - 1) modulo the bound. */
export interface EcommerceErrorCountersTable {
  bucket: string;
  written: ColumnType<string, number | string, number | string>;
}

/** 0012: one row per periodic job (src/app/jobs.ts): who runs it now, and when it may run next. */
export interface JobLeasesTable {
  name: string;
  owner: string | null;
  leased_until: Timestamp | null;
  next_run_at: Timestamp;
  last_started_at: Timestamp | null;
  last_finished_at: Timestamp | null;
  last_error: string | null;
  last_report: ColumnType<unknown, string | null | undefined, string | null>;
}

export interface PagopaExchangesTable {
  id: string;
  environment: 'test' | 'prod';
  at: Timestamp;
  direction: 'in' | 'out';
  operation: string;
  psp_organisation_id: string | null;
  ec_organisation_id: string | null;
  station_id: string | null;
  station_code: string | null;
  station_organisation_id: string | null;
  notice_number: string | null;
  fiscal_code: string | null;
  token: string | null;
  outcome: 'OK' | 'KO' | null;
  fault_code: string | null;
  http_status: number | null;
  duration_ms: number;
  error: string | null;
  request: string;
  request_bytes: number;
  request_truncated: boolean;
  response: string | null;
  response_bytes: number | null;
  response_truncated: ColumnType<boolean, boolean | undefined, boolean>;
}

/** 0013: pagoPA registry (src/modules/pagopa-registry). Identifiers are case-sensitive, as on the wire. */
export interface PagopaPspBrokersTable {
  environment: Environment;
  id_broker_psp: string;
  organisation_id: string;
  enabled: WithDefault<boolean>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface PagopaPspsTable {
  id: string;
  organisation_id: string;
  environment: Environment;
  id_psp: string;
  id_broker_psp: string;
  enabled: WithDefault<boolean>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface PagopaChannelsTable {
  id: string;
  psp_id: string;
  environment: Environment;
  id_channel: string;
  /** argon2id only (a CHECK refuses anything else); the password itself is stored nowhere. */
  password_hash: string;
  password_set_at: Timestamp;
  enabled: WithDefault<boolean>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface PagopaEcsTable {
  organisation_id: string;
  environment: Environment;
  enabled: WithDefault<boolean>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface PagopaEcLinksTable {
  id: string;
  organisation_id: string;
  environment: Environment;
  station_id: string;
  aux_digit: number;
  segregation_code: string | null;
  application_code: string | null;
  primitive_version: number;
  enabled: WithDefault<boolean>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

/** 0015: an EC's simulated station in the test environment (src/modules/pagopa-simulator). */
export interface PagopaSimulatorsTable {
  organisation_id: string;
  environment: ColumnType<'test', 'test' | undefined, 'test'>;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  primitive_version: ColumnType<1 | 2, 1 | 2 | undefined, 1 | 2>;
  /** Ordered scenarios (scenario.types.ts), first match wins. */
  scenarios: ColumnType<unknown, string | undefined, string>;
  version: ColumnType<number, number | undefined, number>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

/** 0015: deliveries of each receipt to a simulated EC, for "refuse the first N receipts". */
export interface PagopaSimulatorReceiptsTable {
  organisation_id: string;
  environment: ColumnType<'test', 'test' | undefined, 'test'>;
  receipt_key: string;
  notice_number: string | null;
  deliveries: number;
  first_at: Timestamp;
  last_at: Timestamp;
}

/** 0016: the pagoPA node's activations (one row per payment token) (src/modules/pagopa-node). */
export interface PagopaPaymentsTable {
  token: string;
  environment: 'test' | 'prod';
  fiscal_code: string;
  notice_number: string;
  state: 'activating' | 'active' | 'failed' | 'paid' | 'ko' | 'expired';
  operation: 'activatePaymentNotice' | 'activatePaymentNoticeV2';
  psp_organisation_id: string;
  psp_company_name: string;
  id_psp: string;
  id_broker_psp: string;
  id_channel: string;
  idempotency_key: string | null;
  amount_cents: number;
  ec_organisation_id: string;
  station_id: string | null;
  station_code: string;
  station_organisation_id: string | null;
  primitive_version: 1 | 2;
  activated_at: Timestamp;
  expires_at: Timestamp;
  payment: ColumnType<unknown, string | null | undefined, string | null>;
  failure_fault_code: ColumnType<string | null, string | null | undefined, string | null>;
  outcome: ColumnType<'OK' | 'KO' | null, 'OK' | 'KO' | null | undefined, 'OK' | 'KO' | null>;
  outcome_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  outcome_details: ColumnType<unknown, string | null | undefined, string | null>;
  outcome_idempotency_key: ColumnType<string | null, string | null | undefined, string | null>;
  outcome_digest: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: Timestamp;
}

/** 0016: activatePaymentNotice[V2] idempotency records (src/modules/pagopa-node). */
export interface PagopaIdempotencyTable {
  environment: 'test' | 'prod';
  id_psp: string;
  idempotency_key: string;
  request_digest: string;
  token: string;
  response: ColumnType<string | null, string | null | undefined, string | null>;
  valid_until: Timestamp;
  created_at: Timestamp;
}

/** 0017: pagoPA receipts, one per creditor institution of a paid payment, delivered through the outbox. */
export interface PagopaReceiptsTable {
  id: string;
  environment: 'test' | 'prod';
  token: string;
  notice_number: string;
  fiscal_code: string;
  ec_organisation_id: string;
  recipient_fiscal_code: string;
  recipient_organisation_id: string | null;
  position: number;
  psp_organisation_id: string;
  amount_cents: number;
  payload: Json;
  state: ColumnType<'pending' | 'delivered' | 'failed', 'pending' | undefined, 'pending' | 'delivered' | 'failed'>;
  attempts: ColumnType<number, number | undefined, number>;
  outbox_message_id: string;
  station_id: string | null;
  station_code: string | null;
  station_organisation_id: string | null;
  primitive_version: number | null;
  last_attempt_at: Timestamp | null;
  last_error: string | null;
  first_delivered_at: Timestamp | null;
  delivered_at: Timestamp | null;
  created_at: DefaultTimestamp;
}

/** 0017: each delivery attempt of a receipt, with the EC's answer and the exchange-log message. */
export interface PagopaReceiptAttemptsTable {
  id: Generated<number>;
  receipt_id: string;
  outbox_message_id: string;
  attempt: number;
  started_at: Timestamp;
  duration_ms: number;
  result: 'delivered' | 'duplicate' | 'retry';
  destination: 'station' | 'simulator' | null;
  station_code: string | null;
  primitive_version: number | null;
  http_status: number | null;
  ec_outcome: 'OK' | 'KO' | null;
  fault_code: string | null;
  error: string | null;
  exchange_id: string | null;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  signin_throttle: SigninThrottleTable;
  setup_tokens: SetupTokensTable;
  audit_log: AuditLogTable;
  audit_checkpoints: AuditCheckpointsTable;
  organisations: OrganisationsTable;
  products: ProductsTable;
  user_products: UserProductsTable;
  invitations: InvitationsTable;
  subscriptions: SubscriptionsTable;
  api_keys: ApiKeysTable;
  outbox: OutboxTable;
  outbox_attempts: OutboxAttemptsTable;
  stations: StationsTable;
  station_versions: StationVersionsTable;
  station_checks: StationChecksTable;
  trusted_cas: TrustedCasTable;
  certificate_warnings: CertificateWarningsTable;
  platform_settings: PlatformSettingsTable;
  platform_cas: PlatformCasTable;
  platform_client_certificates: PlatformClientCertificatesTable;
  merchants: MerchantsTable;
  merchant_settings: MerchantSettingsTable;
  orders: OrdersTable;
  payment_attempts: PaymentAttemptsTable;
  ecommerce_errors: EcommerceErrorsTable;
  ecommerce_error_counters: EcommerceErrorCountersTable;
  pspid_claims: PspidClaimsTable;
  api_rate_windows: ApiRateWindowsTable;
  job_leases: JobLeasesTable;
  pagopa_exchanges: PagopaExchangesTable;
  pagopa_psp_brokers: PagopaPspBrokersTable;
  pagopa_psps: PagopaPspsTable;
  pagopa_channels: PagopaChannelsTable;
  pagopa_ecs: PagopaEcsTable;
  pagopa_ec_links: PagopaEcLinksTable;
  pagopa_simulators: PagopaSimulatorsTable;
  pagopa_simulator_receipts: PagopaSimulatorReceiptsTable;
  pagopa_payments: PagopaPaymentsTable;
  pagopa_idempotency: PagopaIdempotencyTable;
  pagopa_receipts: PagopaReceiptsTable;
  pagopa_receipt_attempts: PagopaReceiptAttemptsTable;
}
