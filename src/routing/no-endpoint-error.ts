import { AppError } from '../shared/index.js';

/** No candidate could be chosen: the gateway answers 503 + Retry-After. */
export class NoEndpointError extends AppError {
  constructor(message = 'no ready endpoint to route to') {
    super('ROUTING_NO_ENDPOINT', message, { httpStatus: 503 });
    this.name = 'NoEndpointError';
  }
}
