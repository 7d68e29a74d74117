/**
 * RequestCancel: a response closing before it finished cancels once (hook, signal made late or
 * early); a finished response's close cancels nothing; an unhooked callback is not called.
 */
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { RequestCancel } from '../../../src/gateway/request-cancel.js';

/** The part of a ServerResponse RequestCancel reads: 'close' and writableFinished. */
function fakeResponse(): EventEmitter & { writableFinished: boolean } {
  return Object.assign(new EventEmitter(), { writableFinished: false });
}

describe('RequestCancel', () => {
  it('cancels the hooked call and the signal when the client leaves early', () => {
    const res = fakeResponse();
    const cancel = new RequestCancel(res as unknown as ServerResponse);
    const early = cancel.signal;
    const calls: string[] = [];
    cancel.whenCancelled(() => calls.push('upstream'));
    res.emit('close');
    res.emit('close');
    expect(cancel.cancelled).toBe(true);
    expect(early.aborted).toBe(true);
    expect(cancel.signal.aborted).toBe(true);
    expect(calls).toEqual(['upstream']);
    // Hooking after the fact calls at once: a call started late is still cancelled.
    cancel.whenCancelled(() => calls.push('late'));
    expect(calls).toEqual(['upstream', 'late']);
  });

  it('makes an already aborted signal when first asked after the cancellation', () => {
    const res = fakeResponse();
    const cancel = new RequestCancel(res as unknown as ServerResponse);
    cancel.cancel();
    expect(cancel.signal.aborted).toBe(true);
  });

  it('does nothing when the response finished before it closed, or after unhooking', () => {
    const res = fakeResponse();
    const cancel = new RequestCancel(res as unknown as ServerResponse);
    const calls: string[] = [];
    const unhook = cancel.whenCancelled(() => calls.push('first'));
    unhook();
    res.writableFinished = true;
    res.emit('close');
    expect(cancel.cancelled).toBe(false);
    expect(cancel.signal.aborted).toBe(false);
    cancel.cancel(); // the drain deadline
    expect(calls).toEqual([]);
    expect(cancel.signal.aborted).toBe(true);
  });
});
