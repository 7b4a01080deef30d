import { AbridgedFraming } from './abridged.js';
import type { Framing, FramingName, FramingOptions } from './framing.js';
import { FullFraming } from './full.js';
import { IntermediateFraming } from './intermediate.js';
import { PaddedIntermediateFraming } from './padded-intermediate.js';

/** Creates a fresh framing of the named kind for one connection. */
export function createFraming(name: FramingName, options?: FramingOptions): Framing {
  switch (name) {
    case 'abridged':
      return new AbridgedFraming(options);
    case 'intermediate':
      return new IntermediateFraming(options);
    case 'padded-intermediate':
      return new PaddedIntermediateFraming(options);
    case 'full':
      return new FullFraming(options);
  }
}
