/**
 * Payload validators: small, dependency-free and strict (unknown keys, wrong types and absurd sizes are refused).
 * Each validator is also the source of its type: `Infer<typeof v>` is what it returns, so a payload's TypeScript type
 * and its run-time check cannot disagree. Object validators keep their shape (`.shape`) so tests can compare the
 * fields a validator accepts with the fields of its type.
 */

export class ContractError extends Error {
  override readonly name = 'ContractError';
}

/** Checks an untrusted value; returns it typed (and cleaned of absent optional fields), or throws ContractError. */
export type Validator<T> = (value: unknown, where: string) => T;

/** What a validator returns. */
export type Infer<V> = V extends Validator<infer T> ? T : never;

/** A validator whose key may be left out of an object payload. */
export interface OptionalValidator<T> extends Validator<T | undefined> {
  readonly optional: true;
  readonly inner: Validator<T>;
}

export interface ArrayValidator<T> extends Validator<T[]> {
  readonly item: Validator<T>;
}

export type Shape = Record<string, Validator<unknown>>;

type RequiredFields<S extends Shape> = {
  [K in keyof S as S[K] extends OptionalValidator<unknown> ? never : K]: S[K] extends Validator<infer T> ? T : never;
};
type OptionalFields<S extends Shape> = {
  [K in keyof S as S[K] extends OptionalValidator<unknown> ? K : never]?: S[K] extends OptionalValidator<infer T> ? T : never;
};
type Flatten<T> = { [K in keyof T]: T[K] };

/** The object type a shape describes: optional validators give optional fields. */
export type ObjectOf<S extends Shape> = Flatten<RequiredFields<S> & OptionalFields<S>>;

export interface ObjectValidator<S extends Shape> extends Validator<ObjectOf<S>> {
  readonly shape: S;
}

/** Every field of a shape made optional (a patch of it). */
export type PartialShape<S extends Shape> = { [K in keyof S]: OptionalValidator<Infer<S[K]>> };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optional<T>(inner: Validator<T>): OptionalValidator<T> {
  const check = (value: unknown, where: string) => (value === undefined ? undefined : inner(value, where));
  return Object.assign(check, { optional: true as const, inner });
}

function object<S extends Shape>(shape: S): ObjectValidator<S> {
  const check = (value: unknown, where: string): ObjectOf<S> => {
    if (!isRecord(value)) throw new ContractError(`${where}: must be an object`);
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(shape, key)) throw new ContractError(`${where}: unexpected field '${key.slice(0, 40)}'`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape)) {
      const checked = field(value[key], `${where}.${key}`);
      if (checked !== undefined) out[key] = checked;
    }
    return out as ObjectOf<S>;
  };
  return Object.assign(check, { shape });
}

export const validate = {
  none: ((value, where) => {
    if (value !== undefined && value !== null && !(isRecord(value) && Object.keys(value).length === 0)) {
      throw new ContractError(`${where}: takes no payload`);
    }
    return undefined;
  }) as Validator<void>,

  string(options: { maxLength?: number; nonEmpty?: boolean } = {}): Validator<string> {
    const maxLength = options.maxLength ?? 4096;
    return (value, where) => {
      if (typeof value !== 'string') throw new ContractError(`${where}: must be a string`);
      if (value.length > maxLength) throw new ContractError(`${where}: longer than ${maxLength} characters`);
      if (options.nonEmpty && value.trim() === '') throw new ContractError(`${where}: must not be empty`);
      if (value.includes('\0')) throw new ContractError(`${where}: must not contain NUL characters`);
      return value;
    };
  },

  integer(options: { min?: number; max?: number } = {}): Validator<number> {
    const min = options.min ?? Number.MIN_SAFE_INTEGER;
    const max = options.max ?? Number.MAX_SAFE_INTEGER;
    return (value, where) => {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new ContractError(`${where}: must be an integer`);
      if (value < min || value > max) throw new ContractError(`${where}: must be between ${min} and ${max}`);
      return value;
    };
  },

  number(options: { min?: number; max?: number } = {}): Validator<number> {
    const min = options.min ?? -Number.MAX_VALUE;
    const max = options.max ?? Number.MAX_VALUE;
    return (value, where) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new ContractError(`${where}: must be a finite number`);
      if (value < min || value > max) throw new ContractError(`${where}: must be between ${min} and ${max}`);
      return value;
    };
  },

  boolean: ((value, where) => {
    if (typeof value !== 'boolean') throw new ContractError(`${where}: must be true or false`);
    return value;
  }) as Validator<boolean>,

  oneOf<const T extends string>(values: readonly T[]): Validator<T> {
    return (value, where) => {
      if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
        throw new ContractError(`${where}: must be one of ${values.join(', ')}`);
      }
      return value as T;
    };
  },

  array<T>(item: Validator<T>, options: { maxItems?: number; minItems?: number } = {}): ArrayValidator<T> {
    const maxItems = options.maxItems ?? 1000;
    const check = (value: unknown, where: string): T[] => {
      if (!Array.isArray(value)) throw new ContractError(`${where}: must be an array`);
      if (value.length > maxItems) throw new ContractError(`${where}: more than ${maxItems} items`);
      if (value.length < (options.minItems ?? 0)) throw new ContractError(`${where}: needs at least ${options.minItems} items`);
      return value.map((entry, i) => item(entry, `${where}[${i}]`));
    };
    return Object.assign(check, { item });
  },

  /** An ISO 8601 date or date-time prefix ('2019', '2019-07', '2019-07-14', '2019-07-14T16:03'). */
  date: ((value, where) => {
    if (typeof value !== 'string' || !/^\d{4}(-\d{2}(-\d{2}([T ]\d{2}(:\d{2}(:\d{2})?)?)?)?)?$/.test(value)) {
      throw new ContractError(`${where}: must be a date like 2019-07-14`);
    }
    return value;
  }) as Validator<string>,

  optional,
  object,

  /** The same fields, each optional: a patch of an object described by `shape`. */
  partial<S extends Shape>(shape: S): ObjectValidator<PartialShape<S>> {
    const fields = Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, optional(field)]));
    return object(fields as PartialShape<S>);
  },
};

/** Whether a validator is an object validator (it has a shape). */
export function isObjectValidator(check: Validator<unknown>): check is ObjectValidator<Shape> {
  return 'shape' in check && isRecord((check as { shape?: unknown }).shape);
}
