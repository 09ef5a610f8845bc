import { describe, expect, it } from 'vitest';
import { cleanLabel, hasLabel, labelErrorMessage, labelProblem, LabelStore, MAX_LABEL_LENGTH, submitLabel, type LabelsApi } from '../../renderer/src/lib/labels';

/** An engine that keeps labels like the real one (case-insensitive, sorted) and answers when told to. */
function engine(initial: string[] = []) {
  let labels = [...initial];
  const calls: string[] = [];
  const pending: Array<() => void> = [];
  let manual = false;
  let fail: Error | null = null;
  const sorted = () => [...labels].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
  const answer = <T>(compute: () => T): Promise<T> =>
    new Promise((resolve, reject) => {
      const run = () => {
        if (fail) reject(fail);
        else resolve(compute());
      };
      if (manual) pending.push(run);
      else run();
    });
  const api: LabelsApi = {
    'labels.list': () => {
      calls.push('list');
      // The engine reads the list when the request arrives; the reply may travel back after later ones.
      const snapshot = sorted();
      return answer(() => snapshot);
    },
    'labels.add': ({ text }) => {
      calls.push(`add ${text}`);
      return answer(() => {
        if (!labels.some((l) => l.toLowerCase() === text.toLowerCase())) labels.push(text);
        return sorted();
      });
    },
    'labels.remove': ({ text }) => {
      calls.push(`remove ${text}`);
      return answer(() => {
        labels = labels.filter((l) => l.toLowerCase() !== text.toLowerCase());
        return sorted();
      });
    },
  };
  return {
    api,
    calls,
    hold: () => (manual = true),
    /** Answers the held request at `index` (in the order they were made). */
    release: (index: number) => pending.splice(index, 1)[0]!(),
    failWith: (error: Error | null) => (fail = error),
  };
}

describe('label rules', () => {
  it('cleans white space as the engine stores it', () => {
    expect(cleanLabel('  Grandpa \t purple\nsweater  ')).toBe('Grandpa purple sweater');
    expect(cleanLabel('   ')).toBe('');
  });

  it('says in plain words why a label cannot be added', () => {
    expect(labelProblem('Grandpa purple sweater', [])).toBeNull();
    expect(labelProblem('  ', [])).toMatch(/^Type a few words first/);
    expect(labelProblem('x'.repeat(MAX_LABEL_LENGTH), [])).toBeNull();
    expect(labelProblem('x'.repeat(MAX_LABEL_LENGTH + 1), [])).toBe('A label can be at most 200 characters long; this one has 201.');
    // The engine ignores a label it has in any case: say so instead of pretending it was added.
    expect(labelProblem('grandpa  PURPLE sweater', ['Grandpa purple sweater'])).toBe('“Grandpa purple sweater” is already one of your labels.');
    expect(labelProblem('Grandpa', null)).toBeNull();
    expect(hasLabel(['Our kitchen'], ' our KITCHEN ')).toBe(true);
    expect(hasLabel(['Our kitchen'], '')).toBe(false);
    expect(hasLabel(null, 'x')).toBe(false);
  });

  it('turns engine refusals into sentences without channel names', () => {
    expect(labelErrorMessage(new Error('labels.add.text: longer than 200 characters'))).toBe('A label can be at most 200 characters long.');
    expect(labelErrorMessage(new Error('labels.add.text: must not be empty'))).toBe('Type a few words first.');
    expect(labelErrorMessage(new Error('Describe needs the model: download it first (or wait until it has loaded)'))).toBe(
      'Labels need the model: download it first, or wait until it has loaded.',
    );
    expect(labelErrorMessage(new TypeError('Failed to fetch'))).toBe('Shoebox’s engine could not be reached. Is it still running?');
    expect(labelErrorMessage(new Error('labels.remove: unexpected field \'x\''))).toBe("Unexpected field 'x'");
    expect(labelErrorMessage('')).toBe('Something went wrong; please try again.');
  });
});

describe('LabelStore', () => {
  it('loads, adds and removes, keeping the engine’s list', async () => {
    const e = engine(['Zoo trip']);
    const store = new LabelStore(e.api);
    let changes = 0;
    store.onChange(() => changes++);
    await store.load();
    expect(store.labels).toEqual(['Zoo trip']);
    expect(changes).toBeGreaterThan(0);
    const added = await store.add('  Grandpa   purple sweater ');
    expect(added).toEqual({ ok: true, label: 'Grandpa purple sweater', labels: ['Grandpa purple sweater', 'Zoo trip'] });
    expect(store.labels).toEqual(['Grandpa purple sweater', 'Zoo trip']);
    expect(e.calls).toEqual(['list', 'add Grandpa purple sweater']);
    const removed = await store.remove('Grandpa purple sweater');
    expect(removed.ok).toBe(true);
    expect(store.labels).toEqual(['Zoo trip']);
  });

  it('refuses empty, over-long and repeated labels without asking the engine', async () => {
    const e = engine(['Beach house']);
    const store = new LabelStore(e.api);
    await store.load();
    expect(await store.add('   ')).toEqual({ ok: false, error: expect.stringMatching(/^Type a few words/) as unknown });
    expect((await store.add('y'.repeat(201))).ok).toBe(false);
    expect(await store.add('beach HOUSE')).toEqual({ ok: false, error: '“Beach house” is already one of your labels.' });
    expect(await store.remove('  ')).toEqual({ ok: false, error: 'There is no label to remove.' });
    expect(e.calls).toEqual(['list']);
  });

  it('reports engine failures as messages, and a failed load as loadError', async () => {
    const e = engine();
    const store = new LabelStore(e.api);
    e.failWith(new Error('Describe needs the model: download it first (or wait until it has loaded)'));
    await store.load();
    expect(store.labels).toBeNull();
    expect(store.loadError).toBe('Labels need the model: download it first, or wait until it has loaded.');
    expect(await store.add('Sunday lunch')).toEqual({ ok: false, error: 'Labels need the model: download it first, or wait until it has loaded.' });
    e.failWith(null);
    await store.load();
    expect(store.loadError).toBeNull();
    expect(store.labels).toEqual([]);
  });

  it('asks for the list before a first add, so a label it already has is said, not “added”', async () => {
    const e = engine(['Beach house']);
    const store = new LabelStore(e.api);
    expect(await store.add('BEACH house')).toEqual({ ok: false, error: '“Beach house” is already one of your labels.' });
    expect(e.calls).toEqual(['list']);
    expect((await store.add('Our kitchen')).ok).toBe(true);
    expect(e.calls).toEqual(['list', 'add Our kitchen']);
  });

  it('a slow list cannot undo a later add', async () => {
    const e = engine();
    const store = new LabelStore(e.api);
    await store.load();
    e.hold();
    const loading = store.load();
    const adding = store.add('Grandpa purple sweater');
    // The add answers first; the list (an older snapshot of the engine's state) answers after it.
    e.release(1);
    await adding;
    expect(store.labels).toEqual(['Grandpa purple sweater']);
    e.release(0);
    await loading;
    expect(store.labels).toEqual(['Grandpa purple sweater']);
    expect(store.loading).toBe(false);
  });
});

describe('submitLabel', () => {
  function store(labels: string[] | null, add: LabelsApi['labels.add'] = async ({ text }) => [...(labels ?? []), text]): LabelStore {
    const api: LabelsApi = { 'labels.list': async () => labels ?? [], 'labels.add': add, 'labels.remove': async () => [] };
    const labelStore = new LabelStore(api);
    labelStore.labels = labels;
    return labelStore;
  }

  it('refuses at once what can be told here, without asking the engine', () => {
    let asked = false;
    const labels = store(['Grandpa’s sweater'], async () => {
      asked = true;
      return [];
    });
    expect(submitLabel(labels, '   ')).toEqual({ state: 'refused', error: labelProblem('', null) });
    expect(submitLabel(labels, 'grandpa’s SWEATER')).toEqual({ state: 'refused', error: '“Grandpa’s sweater” is already one of your labels.' });
    expect(asked).toBe(false);
  });

  it('sends the rest to the store and hands back its outcome', async () => {
    const submission = submitLabel(store([]), '  our  old kitchen ');
    expect(submission.state).toBe('sent');
    if (submission.state !== 'sent') return;
    expect(await submission.outcome).toEqual({ ok: true, label: 'our old kitchen', labels: ['our old kitchen'] });
    const refused = submitLabel(store([], async () => Promise.reject(new Error('labels.add: needs the model'))), 'kitchen');
    if (refused.state !== 'sent') throw new Error('expected the store to be asked');
    expect(await refused.outcome).toEqual({ ok: false, error: 'Labels need the model: download it first, or wait until it has loaded.' });
  });
});
