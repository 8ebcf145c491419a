// Every error leaves as {"error": {"code", "message"}} with one line naming the problem.
import type { FastifyError } from 'fastify';
import type { RouteApp } from './app.js';
import { ValidationError } from '../../internal/validation/index.js';
import { ApiError, ERROR_STATUS, type ErrorCode } from './errors.js';
import { isCheckViolation, isDataException, isUniqueViolation } from './store/queryable.js';

interface Classified {
  code: ErrorCode;
  message: string;
}

export function installErrorHandling(app: RouteApp) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { code, message } = classify(error);
    const status = ERROR_STATUS[code];
    if (status >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
    void reply.status(status).send({ error: { code, message } });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: {
        code: 'not_found',
        message: `no route ${request.method} ${request.url.split('?')[0]}`,
      },
    });
  });
}

function classify(error: FastifyError): Classified {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  if (error instanceof ValidationError) return { code: 'invalid_request', message: error.message };
  if (error.validation) return { code: 'invalid_request', message: validationMessage(error) };
  if (isUniqueViolation(error)) return { code: 'conflict', message: 'already exists' };
  // A table CHECK the schemas did not catch first: still the client's input, not a 500.
  if (isCheckViolation(error)) {
    return { code: 'invalid_request', message: `refused by the database: ${error.message}` };
  }
  if (isDataException(error)) {
    return { code: 'invalid_request', message: `refused by the database: ${error.message}` };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'payload_too_large', message: 'request body is larger than the limit' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'unsupported_media_type', message: 'send the body as application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'invalid_request', message: 'body: empty, but Content-Type is JSON' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'invalid_request', message: `body: malformed JSON (${error.message})` };
  }
  // JSON.parse errors from the body parser carry statusCode 400 and no code.
  if (error.statusCode === 400 && error instanceof SyntaxError) {
    return { code: 'invalid_request', message: `body: malformed JSON (${error.message})` };
  }
  if (error.statusCode && error.statusCode < 500) {
    return { code: 'invalid_request', message: error.message };
  }
  return { code: 'internal', message: 'internal error; the server log has the details' };
}

/** Ajv's first complaint, naming the field: `body.sampleFrequencyHz must be <= 25600`. */
function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const where = [
    error.validationContext ?? 'body',
    ...first.instancePath.split('/').filter(Boolean),
  ].join('.');
  const params: Record<string, unknown> = first.params;
  if (first.keyword === 'additionalProperties') {
    return `${where}: unknown field "${String(params.additionalProperty)}"`;
  }
  if (first.keyword === 'required') {
    return `${where}.${String(params.missingProperty)}: is required`;
  }
  if (first.keyword === 'enum') {
    const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
    return `${where}: must be one of ${allowed}`;
  }
  return `${where}: ${first.message ?? 'is invalid'}`;
}
