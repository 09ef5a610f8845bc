import { describe, expect, it } from 'vitest';
import { ContractError } from '../../shared/contract';
import { errorReply, failureReply, ipcEventChannel, isErrorReply, okReply, unwrapReply } from '../../shared/envelope';
import { errorMessage, firstLine, oneLineError } from '../../shared/errors';

describe('reply envelope', () => {
  it('wraps and unwraps values, null and undefined included', () => {
    expect(unwrapReply(okReply({ a: 1 }))).toEqual({ a: 1 });
    expect(unwrapReply(okReply(null))).toBeNull();
    expect(isErrorReply(okReply(0))).toBe(false);
  });

  it("turns an error reply into an Error with the engine's message", () => {
    expect(() => unwrapReply(errorReply('failed', 'the disk is full'))).toThrow(new Error('the disk is full'));
    expect(isErrorReply(errorReply('failed', 'x'))).toBe(true);
  });

  it('refuses what is not a reply', () => {
    expect(() => unwrapReply(null)).toThrow('no reply');
    expect(() => unwrapReply('ok')).toThrow('no reply');
    expect(() => unwrapReply({ value: 1 })).toThrow('malformed');
  });

  it('keeps one line of a message and never a stack trace', () => {
    expect(errorReply('failed', 'first line\n    at secret (/home/me/x.js:1:1)')).toEqual({ error: { code: 'failed', message: 'first line' } });
    const thrown = new Error('could not open\ndetails');
    expect(failureReply(thrown)).toEqual({ error: { code: 'failed', message: 'could not open' } });
    expect(failureReply(new ContractError('x.path: must be a string'))).toEqual({
      error: { code: 'invalid-payload', message: 'x.path: must be a string' },
    });
    expect(failureReply('plain text')).toEqual({ error: { code: 'failed', message: 'plain text' } });
  });

  it('names IPC event channels apart from request channels', () => {
    expect(ipcEventChannel('indexing.progress')).toBe('event:indexing.progress');
  });
});

describe('error messages', () => {
  it('read any thrown value', () => {
    expect(errorMessage(new TypeError('bad'))).toBe('bad');
    expect(errorMessage(42)).toBe('42');
    expect(oneLineError(new Error('a\nb'))).toBe('a');
    expect(firstLine('  spaced  \nrest')).toBe('spaced');
    expect(firstLine('\nonly the second')).toBe('only the second');
  });
});
