/** The body ElevenLabs sends with every error status except 422. */
export interface ErrorDetailBody {
  detail: { type: string; code: string; message: string; status: string; request_id: string };
}

/** One entry of a 422 body, as FastAPI writes it. */
export interface ValidationIssue {
  loc: Array<string | number>;
  msg: string;
  type: string;
  input?: unknown;
}

/** The body ElevenLabs sends with 422. */
export interface ValidationErrorBody {
  detail: ValidationIssue[];
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request',
  401: 'authentication_error',
  403: 'authorization_error',
  404: 'not_found',
  405: 'invalid_request',
  408: 'timeout',
  429: 'rate_limit_error',
};

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'invalid_api_key',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  429: 'rate_limit_exceeded',
  500: 'internal_server_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

/** An error body in ElevenLabs' shape; `code` defaults to the usual code of `status`. */
export function errorBody(
  status: number,
  requestId: string,
  code?: string,
  message?: string,
): ErrorDetailBody {
  const resolvedCode = code ?? CODE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'client_error');
  return {
    detail: {
      type: TYPE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'invalid_request'),
      code: resolvedCode,
      message: message ?? resolvedCode.replaceAll('_', ' '),
      status: resolvedCode,
      request_id: requestId,
    },
  };
}
