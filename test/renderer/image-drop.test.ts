import { describe, expect, it } from 'vitest';
import { createImageDrop, createImageSearch, MAX_IMAGES_PER_DROP, type DropEvent, type ImageSearchHost } from '../../renderer/src/lib/image-drop';
import type { ImageExample } from '../../renderer/src/lib/query';

const image = (name: string, type = 'image/png'): File => new File([new Uint8Array([1, 2, 3])], name, { type });

function dropEvent(files: File[], types: string[] = ['Files'], relatedTarget: unknown = undefined) {
  const event = {
    prevented: false,
    preventDefault() {
      event.prevented = true;
    },
    dataTransfer: { types, files, items: null, dropEffect: 'none' },
    relatedTarget,
  };
  return event satisfies DropEvent;
}

function dropHost(blocked = false) {
  const log: string[] = [];
  const searched: string[][] = [];
  const drop = createImageDrop({
    blocked: () => blocked,
    setDragging: (dragging) => void log.push(dragging ? 'dragging' : 'not dragging'),
    search: (files) => void searched.push(files.map((f) => f.name)),
    notify: (text) => void log.push(text),
  });
  return { drop, log, searched };
}

describe('image drop and paste', () => {
  it('shows the drop target while files are dragged over, and hides it when the pointer leaves the window', () => {
    const { drop, log } = dropHost();
    const over = dropEvent([image('a.png')]);
    drop.dragover(over);
    expect(over.prevented).toBe(true);
    expect(over.dataTransfer.dropEffect).toBe('copy');
    // Moving onto another element inside the window: relatedTarget is that element.
    drop.dragleave(dropEvent([], ['Files'], {}));
    drop.dragleave(dropEvent([], ['Files'], null));
    expect(log).toEqual(['dragging', 'not dragging']);
  });

  it('ignores drags of text, and any drag while a dialog is open', () => {
    const text = dropHost();
    const event = dropEvent([], ['text/plain']);
    text.drop.dragover(event);
    text.drop.drop(event);
    expect(event.prevented).toBe(false);
    expect(text.log).toEqual([]);
    const blocked = dropHost(true);
    const files = dropEvent([image('a.png')]);
    blocked.drop.dragover(files);
    expect(files.prevented).toBe(false);
    expect(blocked.log).toEqual([]);
  });

  it('searches by the dropped images, and explains a drop of other files', () => {
    const { drop, log, searched } = dropHost();
    drop.drop(dropEvent([image('a.png'), image('notes.txt', 'text/plain'), image('b.heic', '')]));
    expect(searched).toEqual([['a.png', 'b.heic']]);
    drop.drop(dropEvent([image('notes.txt', 'text/plain')]));
    expect(log).toEqual(['not dragging', 'not dragging', 'Drop an image file (JPEG, PNG, WebP, HEIC…) to search by it.']);
  });

  it('searches by a pasted image (from the files or the items), unless a dialog is open', () => {
    const { drop, searched } = dropHost();
    const item = { kind: 'file', getAsFile: () => image('pasted.png') };
    const paste = { prevented: false, preventDefault: () => (paste.prevented = true), clipboardData: { files: [], items: [item] } };
    drop.paste(paste);
    expect(paste.prevented).toBe(true);
    expect(searched).toEqual([['pasted.png']]);
    const textOnly = { prevented: false, preventDefault: () => (textOnly.prevented = true), clipboardData: { files: [], items: [] } };
    drop.paste(textOnly);
    expect(textOnly.prevented).toBe(false);
    const blocked = dropHost(true);
    blocked.drop.paste({ preventDefault: () => undefined, clipboardData: { files: [image('a.png')] } });
    expect(blocked.searched).toEqual([]);
  });
});

describe('image search', () => {
  function searchHost(patch: Partial<ImageSearchHost> = {}) {
    const added: ImageExample[] = [];
    const notes: string[] = [];
    const uploading: string[][] = [];
    const search = createImageSearch({
      hasLibrary: () => true,
      prepare: async (file) => ({ data: 'AAAA', name: file.name || 'pasted image' }),
      upload: async (prepared) => ({ imageId: `id-${prepared.name}` }),
      previewUrl: (file) => `blob:${file.name}`,
      addImage: (example) => void added.push(example),
      notify: (text, tone = 'info') => void notes.push(`${tone}: ${text}`),
      onUploading: (names) => void uploading.push(names),
      ...patch,
    });
    return { search, added, notes, uploading };
  }

  it('uploads each image in turn and adds it to the query, listing what is on its way', async () => {
    const fake = searchHost();
    await fake.search([image('a.png'), image('')]);
    expect(fake.added).toEqual([
      { imageId: 'id-a.png', name: 'a.png', previewUrl: 'blob:a.png' },
      { imageId: 'id-pasted image', name: 'pasted image', previewUrl: 'blob:' },
    ]);
    expect(fake.uploading).toEqual([['a.png'], [], ['pasted image'], []]);
    expect(fake.notes).toEqual([]);
  });

  it(`takes at most ${MAX_IMAGES_PER_DROP} images from one drop`, async () => {
    const fake = searchHost();
    await fake.search(['1', '2', '3', '4', '5', '6'].map((n) => image(`${n}.png`)));
    expect(fake.added.map((i) => i.name)).toEqual(['1.png', '2.png', '3.png', '4.png']);
  });

  it('tells a failed upload and goes on with the next', async () => {
    const fake = searchHost({
      upload: async (prepared) => (prepared.name === 'bad.png' ? Promise.reject(new Error('not an image')) : { imageId: prepared.name }),
    });
    await fake.search([image('bad.png'), image('good.png')]);
    expect(fake.notes).toEqual(['error: Could not search by bad.png: not an image']);
    expect(fake.added.map((i) => i.name)).toEqual(['good.png']);
    expect(fake.uploading.at(-1)).toEqual([]);
  });

  it('asks for a folder first when there is no library', async () => {
    const fake = searchHost({ hasLibrary: () => false });
    await fake.search([image('a.png')]);
    expect(fake.notes).toEqual(['info: Add a folder of photos first; then drop an image to find photos like it.']);
    expect(fake.added).toEqual([]);
  });
});
