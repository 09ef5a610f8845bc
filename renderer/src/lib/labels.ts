import type { ShoeboxApi } from '@shared/contract';
import { errorMessage } from '@shared/errors';

/**
 * The user's own labels ("Grandpa's purple sweater", "our old kitchen"): they join the caption bank that Describe
 * ranks. This module holds the rules (what a label may be, how engine refusals read to a person) and one small store
 * shared by the Settings panel and the viewer, so a label added in one shows in the other.
 */

/** The engine's limit (contract: labels.add text, maxLength 200). */
export const MAX_LABEL_LENGTH = 200;

/** A label as the engine stores it: runs of white space become one space, ends trimmed. */
export function cleanLabel(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Whether `labels` already holds `text` (the engine compares ignoring case). */
export function hasLabel(labels: readonly string[] | null, text: string): boolean {
  const wanted = cleanLabel(text).toLowerCase();
  return wanted !== '' && (labels ?? []).some((label) => label.toLowerCase() === wanted);
}

/** Why `text` cannot be added, in plain words; null when it can. */
export function labelProblem(text: string, existing: readonly string[] | null): string | null {
  const label = cleanLabel(text);
  if (label === '') return 'Type a few words first, like “Grandpa’s purple sweater”.';
  if (label.length > MAX_LABEL_LENGTH) {
    return `A label can be at most ${MAX_LABEL_LENGTH} characters long; this one has ${label.length}.`;
  }
  if (label.includes('\0')) return 'A label cannot contain that character.';
  const same = (existing ?? []).find((l) => l.toLowerCase() === label.toLowerCase());
  if (same !== undefined) return `“${same}” is already one of your labels.`;
  return null;
}

/** An engine or network error as a person should read it (no channel names, no field paths). */
export function labelErrorMessage(error: unknown): string {
  const raw = errorMessage(error);
  if (/failed to fetch|networkerror|load failed|network request failed/i.test(raw)) {
    return 'Shoebox’s engine could not be reached. Is it still running?';
  }
  if (/needs the model/i.test(raw)) return 'Labels need the model: download it first, or wait until it has loaded.';
  if (/must not be empty|cannot be empty/i.test(raw)) return 'Type a few words first.';
  const long = /(?:longer than|at most) (\d+) characters/i.exec(raw);
  if (long) return `A label can be at most ${long[1]} characters long.`;
  // The contract's validators prefix the field ('labels.add.text: ...'): drop it.
  const plain = raw.replace(/^labels\.[a-z]+(?:\.[a-z]+)?:\s*/i, '').trim();
  if (plain === '') return 'Something went wrong; please try again.';
  return plain.charAt(0).toUpperCase() + plain.slice(1);
}

export type LabelsApi = Pick<ShoeboxApi, 'labels.list' | 'labels.add' | 'labels.remove'>;

export type LabelOutcome = { ok: true; label: string; labels: string[] } | { ok: false; error: string };

/**
 * The label list as the engine last reported it. Every engine reply carries the whole new list; replies are applied
 * in the order their requests were made, so a slow `labels.list` cannot undo a later add or remove.
 */
export class LabelStore {
  /** Null until loaded (or when loading failed: see `loadError`). */
  labels: string[] | null = null;
  loadError: string | null = null;
  loading = false;
  private issued = 0;
  private applied = 0;
  private loadTicket = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly api: LabelsApi) {}

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks the engine for the list (again). Failures are kept in `loadError`, never thrown. */
  async load(): Promise<void> {
    const ticket = ++this.issued;
    this.loadTicket = ticket;
    this.loading = true;
    this.emit();
    try {
      this.apply(ticket, await this.api['labels.list'](undefined));
      if (ticket >= this.applied) this.loadError = null;
    } catch (error) {
      if (ticket >= this.applied) this.loadError = labelErrorMessage(error);
    } finally {
      if (ticket === this.loadTicket) this.loading = false;
      this.emit();
    }
  }

  /** Adds a label after checking it here (the engine checks again); resolves with a message, never throws. */
  async add(text: string): Promise<LabelOutcome> {
    const label = cleanLabel(text);
    // The engine ignores a label it already has: know the list first, so that is said rather than "added".
    if (this.labels === null && label !== '' && label.length <= MAX_LABEL_LENGTH) await this.load();
    const problem = labelProblem(label, this.labels);
    if (problem) return { ok: false, error: problem };
    const ticket = ++this.issued;
    try {
      const labels = await this.api['labels.add']({ text: label });
      this.apply(ticket, labels);
      this.loadError = null;
      this.emit();
      return { ok: true, label, labels };
    } catch (error) {
      return { ok: false, error: labelErrorMessage(error) };
    }
  }

  async remove(text: string): Promise<LabelOutcome> {
    const label = cleanLabel(text);
    if (label === '') return { ok: false, error: 'There is no label to remove.' };
    const ticket = ++this.issued;
    try {
      const labels = await this.api['labels.remove']({ text: label });
      this.apply(ticket, labels);
      this.emit();
      return { ok: true, label, labels };
    } catch (error) {
      return { ok: false, error: labelErrorMessage(error) };
    }
  }

  private apply(ticket: number, labels: string[]): void {
    if (ticket < this.applied) return;
    this.applied = ticket;
    this.labels = labels;
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

export type LabelSubmission = { state: 'refused'; error: string } | { state: 'sent'; outcome: Promise<LabelOutcome> };

/**
 * Adding a label from a form (Settings, the viewer's Describe panel): a problem visible here is refused at once, so
 * the form says it without a busy state; otherwise the store is asked and the outcome follows.
 */
export function submitLabel(store: LabelStore, draft: string): LabelSubmission {
  const problem = labelProblem(draft, store.labels);
  if (problem) return { state: 'refused', error: problem };
  return { state: 'sent', outcome: store.add(draft) };
}
