/**
 * Checks an Adaptive Card the way a 1.5 host sees it, with Microsoft's own `adaptivecards` parser.
 *
 * The package's `lib/` ESM build does not load in Node (extensionless imports); the UMD bundle in
 * `dist/` does, and parses and validates without a DOM. The library alone is lenient: it silently
 * drops properties it does not know, so the card is also serialized back and compared with the
 * input; whatever the 1.5 parser threw away would be missing in Teams too.
 */
import { createRequire } from 'node:module';
import type * as AdaptiveCardsModule from 'adaptivecards';

type AdaptiveCardsLib = typeof AdaptiveCardsModule;

const require = createRequire(import.meta.url);
let lib: AdaptiveCardsLib | undefined;

function adaptiveCards(): AdaptiveCardsLib {
  lib ??= require('adaptivecards/dist/adaptivecards.js') as AdaptiveCardsLib;
  return lib;
}

/** Every problem a Teams-class (1.5) host would have with `json`; empty when the card is clean. */
export function validateAdaptiveCard(json: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(json)) return ['card is not a JSON object'];
  if (json.type !== 'AdaptiveCard') problems.push(`type must be "AdaptiveCard", got ${JSON.stringify(json.type)}`);
  if (json.version !== '1.5') {
    problems.push(`version must be "1.5" (Teams renders nothing newer), got ${JSON.stringify(json.version)}`);
  }

  const AC = adaptiveCards();
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  card.parse(json, context);
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    problems.push(`parse: ${AC.ValidationEvent[event.event] ?? event.event}: ${event.message}`);
  }
  for (const event of card.validateProperties().validationEvents) {
    problems.push(`validate: ${AC.ValidationEvent[event.event] ?? event.event}: ${event.message}`);
  }

  const roundTrip: unknown = card.toJSON(new AC.SerializationContext(AC.Versions.v1_5));
  // `msteams` (e.g. { width: 'Full' }) is Teams' own documented extension: the library does not
  // know it, Teams honours it, other hosts ignore it.
  const { msteams: _teamsExtension, ...portable } = json;
  compareRoundTrip(portable, roundTrip, '$', problems);
  return problems;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reports what the parser dropped or changed. The library writes enum values in its own case
 * ("Bolder" for "bolder") and omits properties equal to their default (`false` flags), so those
 * two differences are not problems.
 */
function compareRoundTrip(input: unknown, output: unknown, path: string, problems: string[]): void {
  if (Array.isArray(input)) {
    if (!Array.isArray(output)) {
      problems.push(`${path}: dropped by the 1.5 parser`);
      return;
    }
    // The parser drops unknown items without leaving a gap: align on `type` so one dropped item
    // does not hide the problems of the ones after it.
    let j = 0;
    input.forEach((item, i) => {
      const next = output[j];
      if (j < output.length && sameKind(item, next)) {
        compareRoundTrip(item, next, `${path}[${i}]`, problems);
        j++;
      } else {
        problems.push(`${path}[${i}]${typeLabel(item)}: dropped by the 1.5 parser`);
      }
    });
    return;
  }
  if (isObject(input)) {
    if (!isObject(output)) {
      problems.push(`${path}: dropped by the 1.5 parser`);
      return;
    }
    const typeName = typeLabel(input);
    for (const [key, value] of Object.entries(input)) {
      if (key in output) {
        compareRoundTrip(value, output[key], `${path}.${key}`, problems);
      } else if (value !== false && value !== undefined) {
        problems.push(`${path}.${key}${typeName}: property not supported in 1.5, dropped by the parser`);
      }
    }
    return;
  }
  if (typeof input === 'string' && typeof output === 'string') {
    if (input !== output && input.toLowerCase() !== output.toLowerCase()) {
      problems.push(`${path}: ${JSON.stringify(input)} became ${JSON.stringify(output)}`);
    }
    return;
  }
  if (input !== output) {
    problems.push(`${path}: ${JSON.stringify(input)} became ${JSON.stringify(output)}`);
  }
}

function typeLabel(v: unknown): string {
  return isObject(v) && typeof v.type === 'string' ? ` (${v.type})` : '';
}

function sameKind(a: unknown, b: unknown): boolean {
  if (isObject(a) && isObject(b)) return a.type === undefined || a.type === b.type;
  return typeof a === typeof b;
}
