// Public surface of the delivery module: the durable outbox (e-mail, server-to-server HTTPS, pagoPA SOAP receipts),
// its worker, the SMTP mailer and the read side for the back office.
export { enqueueEmail, enqueueEmailToAdmins } from './enqueue.ts';
export type { EmailInput } from './enqueue.ts';
export { MAIL_TEMPLATE_PARAMS, MAIL_TEMPLATE_NAMES, SEND_TIME_PARAMS, emailPayload, parseEmailPayload, isMailTemplateName } from './mail.templates.ts';
export type { MailTemplateName, MailLocale, EmailPayload } from './mail.templates.ts';
export { enqueueHttpMessage, httpAnswerOutcome, httpMessagesFor, isHttpMessage, recordHeldAttempt, resendHttpMessage } from './http.outbox.ts';
export type { HttpMessage, HttpMessageInput, HttpMessageView } from './http.outbox.ts';
export { enqueueOutboxMessage, newOutboxMessageId, nextAttemptOf, retryOutboxMessageNow } from './outbox.messages.ts';
export type { OutboxMessageInput, OutboxMessageState } from './outbox.messages.ts';
export { createOutboxWorker } from './worker.ts';
export type { OutboxWorker, OutboxWorkerOptions, OutboxMessage, DeliveryOutcome, DeliveryHandler, WorkerLogger } from './worker.ts';
export { nextAttemptDelayMs, RETRY_SCHEDULES } from './retry.policy.ts';
export type { RetrySchedule } from './retry.policy.ts';
export { feedbackExhaustionMail } from './exhaustion.mail.ts';
export type { OwnersLookup } from './exhaustion.mail.ts';
export { OUTBOX_CHANNEL } from './outbox.repository.ts';
export type { Channel, EmailSearch } from './outbox.repository.ts';
export { createSmtpMailer, mailDomain } from './smtp.mailer.ts';
export type { Mailer, MailMessage, SendResult, SmtpMailerOptions } from './smtp.mailer.ts';
export { createDeliveryService, listEmails, getEmail } from './delivery.service.ts';
export type { DeliveryService, EmailView } from './delivery.service.ts';
export type { AttemptRow } from './outbox.repository.ts';
export { pruneFinishedMessages } from './retention.ts';
export { countResendable, createGivenUpDeliveries, givenUpQueue, listGivenUp, resendGivenUp, RESENDABLE_STATES, OUTBOX_CHANNELS } from './outbox.resend.ts';
export type { GivenUpDeliveries, ResendFilter, ResendableState, ResendActor } from './outbox.resend.ts';
