/** Short messages at the bottom of the window ("Copied the path"), each gone after a few seconds. */
export interface Toast {
  id: number;
  text: string;
  tone: 'info' | 'error';
}

export class ToastQueue {
  private nextId = 1;
  private timers = new Map<number, ReturnType<typeof setTimeout>>();
  items: Toast[] = [];
  private readonly listeners = new Set<(items: Toast[]) => void>();

  constructor(private readonly max = 3) {}

  onChange(listener: (items: Toast[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Shows a message; the same text twice in a row refreshes the first instead of stacking. */
  push(text: string, tone: Toast['tone'] = 'info', ms = tone === 'error' ? 8000 : 3500): number {
    const same = this.items.find((toast) => toast.text === text);
    if (same) this.dismiss(same.id);
    const toast: Toast = { id: this.nextId++, text, tone };
    this.items = [...this.items, toast];
    while (this.items.length > this.max) this.dismiss(this.items[0]!.id, false);
    this.timers.set(toast.id, setTimeout(() => this.dismiss(toast.id), ms));
    this.emit();
    return toast.id;
  }

  dismiss(id: number, notify = true): void {
    const timer = this.timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(id);
    const before = this.items.length;
    this.items = this.items.filter((toast) => toast.id !== id);
    if (notify && this.items.length !== before) this.emit();
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.items = [];
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.items);
  }
}
