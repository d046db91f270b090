/**
 * A dispatch's team and engineer against the ticket portal's field-team directory, before the
 * card: the portal checks them only at save time, after a manager approved. Pure: the guard reads
 * the directory (workorder.teams) and hands it in; this module matches names and picks the
 * nearest ones to suggest.
 */
import type { FieldTeam } from '../../tools/ticket/schemas.js';

/**
 * How names are compared: the portal's findTeam ignores case and surrounding space; people also
 * type full-width letters and digits (ＨＺ Ｆｉｅｌｄ Ｔｅａｍ １), which NFKC folds to ASCII.
 */
export const nameKey = (s: string): string => s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/** The forms a team answers to: "杭州装维一组 HZ Field Team 1", "杭州装维一组", "HZ Field Team 1". */
function teamKeys(name: string): string[] {
  const n = nameKey(name);
  const sp = n.indexOf(' ');
  return sp > 0 ? [n, n.slice(0, sp), n.slice(sp + 1)] : [n];
}

export function findTeam(teams: readonly FieldTeam[], given: string): FieldTeam | undefined {
  const g = nameKey(given);
  return g ? teams.find((t) => teamKeys(t.name).includes(g)) : undefined;
}

/** The team an engineer belongs to (names are unique across teams in the directory). */
export function findEngineer(teams: readonly FieldTeam[], given: string): { team: FieldTeam; engineer: string } | undefined {
  const g = nameKey(given);
  for (const team of teams) {
    const engineer = team.engineers.find((e) => nameKey(e) === g);
    if (engineer) return { team, engineer };
  }
  return undefined;
}

/** Optimal string alignment distance (Levenshtein plus swapped neighbours: "Feild"). */
function distance(a: string, b: string): number {
  const A = [...a];
  const B = [...b];
  const d: number[][] = Array.from({ length: A.length + 1 }, (_, i) => Array.from({ length: B.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= A.length; i++) {
    for (let j = 1; j <= B.length; j++) {
      const cost = A[i - 1] === B[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && A[i - 1] === B[j - 2] && A[i - 2] === B[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[A.length]![B.length]!;
}

/** At most this many names suggested. */
const MAX_SUGGESTIONS = 3;

/**
 * The names nearest to what was typed: the closest ones when one is close (about a third of its
 * length wrong at most: a typo, a missing character), else the first few of the region so the
 * requester still sees what exists. `close` says which it is, so the reply can ask "did you mean".
 */
export function nearest(candidates: ReadonlyArray<{ name: string; keys: readonly string[] }>, given: string): { names: string[]; close: boolean } {
  const g = nameKey(given);
  const scored = candidates.map((c) => {
    const best = Math.min(...c.keys.map((k) => distance(g, k) / Math.max(1, Math.max([...k].length, [...g].length))));
    return { name: c.name, score: best };
  });
  const min = Math.min(...scored.map((s) => s.score));
  if (scored.length > 0 && min <= 1 / 3) return { names: scored.filter((s) => s.score === min).slice(0, MAX_SUGGESTIONS).map((s) => s.name), close: true };
  return { names: candidates.slice(0, MAX_SUGGESTIONS).map((c) => c.name), close: false };
}

export const teamCandidates = (teams: readonly FieldTeam[]) => teams.map((t) => ({ name: t.name, keys: teamKeys(t.name) }));
export const engineerCandidates = (teams: readonly FieldTeam[]) => teams.flatMap((t) => t.engineers.map((e) => ({ name: e, keys: [nameKey(e)] })));

/** Why the directory refuses what was asked, with what to suggest instead. */
export type DirectoryRefusal =
  | { reason: 'team_unknown'; team: string; suggest: { names: string[]; close: boolean } }
  | { reason: 'team_other_region'; team: FieldTeam; suggest: { names: string[]; close: boolean } }
  | { reason: 'engineer_unknown' | 'assignee_unknown'; engineer: string; suggest: { names: string[]; close: boolean } }
  | { reason: 'engineer_other_region'; engineer: string; team: FieldTeam; suggest: { names: string[]; close: boolean } }
  | { reason: 'engineer_not_in_team'; engineer: string; engineersTeam: FieldTeam; team: FieldTeam; suggest: { names: string[]; close: boolean } };

export type DirectoryCheck = { ok: true; team: FieldTeam; engineer?: string } | ({ ok: false } & DirectoryRefusal);

/**
 * Check the asked team / engineer against the ticket region's teams. `elsewhere` is every team
 * the requester may see (to tell "another region's team" from "no such team"), or null when they
 * may not read other regions; then a team of another region is simply not in this one.
 */
export function checkAssignee(asked: { team?: string; engineer?: string }, regionTeams: readonly FieldTeam[], elsewhere: readonly FieldTeam[] | null): DirectoryCheck {
  const teamSuggest = (given: string) => nearest(teamCandidates(regionTeams), given);
  let team: FieldTeam | undefined;
  if (asked.team !== undefined) {
    team = findTeam(regionTeams, asked.team);
    if (!team) {
      const other = elsewhere ? findTeam(elsewhere, asked.team) : undefined;
      if (other) return { ok: false, reason: 'team_other_region', team: other, suggest: teamSuggest(asked.team) };
      return { ok: false, reason: 'team_unknown', team: asked.team, suggest: teamSuggest(asked.team) };
    }
  }
  if (asked.engineer === undefined) return { ok: true, team: team! };
  const found = findEngineer(regionTeams, asked.engineer);
  if (!found) {
    // A name alone may be a team the grammar could not tell from a person ("杭州装维一祖" lacks 组).
    const alone = asked.team === undefined;
    const asTeam = alone ? findTeam(regionTeams, asked.engineer) : undefined;
    if (asTeam) return { ok: true, team: asTeam };
    const other = elsewhere ? findEngineer(elsewhere, asked.engineer) : undefined;
    const otherTeam = alone && elsewhere ? findTeam(elsewhere, asked.engineer) : undefined;
    const suggest = nearest(alone ? [...engineerCandidates(regionTeams), ...teamCandidates(regionTeams)] : engineerCandidates(team ? [team] : regionTeams), asked.engineer);
    if (other) return { ok: false, reason: 'engineer_other_region', engineer: other.engineer, team: other.team, suggest };
    if (otherTeam) return { ok: false, reason: 'team_other_region', team: otherTeam, suggest: nearest(teamCandidates(regionTeams), asked.engineer) };
    return { ok: false, reason: alone ? 'assignee_unknown' : 'engineer_unknown', engineer: asked.engineer, suggest };
  }
  if (team && found.team !== team) {
    return { ok: false, reason: 'engineer_not_in_team', engineer: found.engineer, engineersTeam: found.team, team, suggest: nearest(engineerCandidates([team]), asked.engineer) };
  }
  return { ok: true, team: found.team, engineer: found.engineer };
}
