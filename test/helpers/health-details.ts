/**
 * What a medical notification must not carry: its subscribers may be e-mail inboxes, outside every
 * grant. A notification names the player and the alert; the finding is read from the lake with the
 * reader's own access.
 */

/** A number with a unit of a health or load measure: 14.2 deg, 14°, 182 bpm, 640 AU, 7000 m/day, 62%. */
export const MEASURED = /\d(?:[.,]\d+)?\s*(?:°|deg\b|bpm\b|AU\b|m\/day\b|m\/min\b|km\/h\b|m\b|km\b|min\b|spm\b|%)/;

/** Words that name a kind of finding, a body part or a measure. */
export const FINDING_WORDS =
  /\b(?:fatigue\w*|tired|load\w*|spike\w*|biomechanic\w*|deviat\w*|valgus|knee\w*|hip|trunk|heart|ratio|acwr|workload|trimp\w*|distance|sprint\w*|injur\w*|acute|chronic|baseline|threshold)\b/i;

/** The finding a notification is about, as the insight carries it. */
export interface Finding {
  readonly detailType: string;
  readonly summary: string;
  readonly rule: string;
}

/** Fails, quoting the text, if `published` carries the finding's summary, rule, kind, a measure or a finding's word. */
export function expectNoHealthDetails(published: string, finding: Finding): void {
  expect(published).not.toContain(finding.summary);
  expect(published).not.toContain(finding.rule);
  expect(published).not.toContain(finding.detailType);
  expect(published).not.toMatch(MEASURED);
  expect(published).not.toMatch(FINDING_WORDS);
}
