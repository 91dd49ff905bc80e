/**
 * Per-client limits for the public HTTP endpoints (web chat API, webhooks): 429 with Retry-After.
 * Counters live in memory (rate-limiter-flexible); behind a reverse proxy on the same machine the
 * client's address comes from X-Forwarded-For ('trust proxy' is loopback).
 */
import type { RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { sendError } from './httpError.js';

export interface HttpLimit {
  /** Requests allowed per key within `seconds`. */
  requests: number;
  seconds: number;
  /** The key of a request (client IP, chat id); requests without one share the key "unknown". */
  key: (req: Parameters<RequestHandler>[0]) => string | undefined;
  /** Shown in the 429's message. */
  what: string;
}

/**
 * Express middleware answering 429 with Retry-After once a key used up its requests. Several limits
 * stack (per IP and per chat): each has its own counter.
 */
export function httpRateLimit(limit: HttpLimit): RequestHandler {
  const limiter = new RateLimiterMemory({ points: limit.requests, duration: limit.seconds });
  return (req, res, next) => {
    limiter.consume(limit.key(req) ?? 'unknown').then(
      () => next(),
      (refusal: unknown) => {
        if (!(refusal instanceof RateLimiterRes)) return next(refusal);
        const seconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
        res.setHeader('Retry-After', String(seconds));
        sendError(res, 429, 'RATE_LIMITED', `Too many ${limit.what}. Please wait ${seconds} s and try again.`);
      },
    );
  };
}
