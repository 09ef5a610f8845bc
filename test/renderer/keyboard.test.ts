import { describe, expect, it } from 'vitest';
import { isGridKey, isTextEntry, moveInGrid, moveInMenu, typeAhead } from '../../renderer/src/lib/keyboard';

describe('keyboard navigation', () => {
  it('moves the selection in a grid of 10 items in 4 columns', () => {
    expect(moveInGrid(null, 'ArrowRight', 4, 10)).toBe(0);
    expect(moveInGrid(null, 'End', 4, 10)).toBe(9);
    expect(moveInGrid(0, 'ArrowLeft', 4, 10)).toBe(0);
    expect(moveInGrid(3, 'ArrowRight', 4, 10)).toBe(4);
    expect(moveInGrid(9, 'ArrowRight', 4, 10)).toBe(9);
    expect(moveInGrid(1, 'ArrowDown', 4, 10)).toBe(5);
    expect(moveInGrid(5, 'ArrowDown', 4, 10)).toBe(9);
    expect(moveInGrid(7, 'ArrowDown', 4, 10)).toBe(9);
    expect(moveInGrid(9, 'ArrowDown', 4, 10)).toBe(9);
    expect(moveInGrid(6, 'ArrowUp', 4, 10)).toBe(2);
    expect(moveInGrid(2, 'ArrowUp', 4, 10)).toBe(2);
    expect(moveInGrid(6, 'Home', 4, 10)).toBe(0);
    expect(moveInGrid(6, 'End', 4, 10)).toBe(9);
    expect(moveInGrid(1, 'PageDown', 4, 10, 2)).toBe(9);
    expect(moveInGrid(9, 'PageUp', 4, 10, 2)).toBe(1);
    expect(moveInGrid(2, 'ArrowDown', 4, 0)).toBeNull();
    expect(moveInGrid(50, 'ArrowDown', 4, 10)).toBe(0);
    expect(isGridKey('ArrowUp')).toBe(true);
    expect(isGridKey('a')).toBe(false);
  });

  it('wraps around a menu and finds items by their first letter', () => {
    expect(moveInMenu(0, 'ArrowUp', 4)).toBe(3);
    expect(moveInMenu(3, 'ArrowDown', 4)).toBe(0);
    expect(moveInMenu(2, 'Home', 4)).toBe(0);
    expect(moveInMenu(0, 'End', 4)).toBe(3);
    expect(moveInMenu(1, 'x', 4)).toBe(1);
    const labels = ['Find similar', 'Describe', 'Search with this photo + text', 'Copy path'];
    expect(typeAhead(labels, 0, 'c')).toBe(3);
    expect(typeAhead(labels, 0, 'F')).toBe(0);
    expect(typeAhead(labels, 0, 'z')).toBe(0);
  });

  it('knows when a key press is typing', () => {
    expect(isTextEntry({ tagName: 'INPUT', type: 'search' })).toBe(true);
    expect(isTextEntry({ tagName: 'input', type: 'checkbox' })).toBe(false);
    expect(isTextEntry({ tagName: 'TEXTAREA' })).toBe(true);
    expect(isTextEntry({ tagName: 'DIV', isContentEditable: true })).toBe(true);
    expect(isTextEntry({ tagName: 'DIV' })).toBe(false);
    expect(isTextEntry(null)).toBe(false);
  });
});
