/**
 * Sideline's pitch frame. Every reader converts into it; nothing downstream knows a provider's frame.
 *
 * - Units are metres.
 * - The origin is the bottom-left corner of the pitch as drawn with the length horizontal:
 *   x runs along the touchline from 0 to `length`, y runs along the goal line from 0 to `width`,
 *   and y points up (a right-handed frame, as in a Cartesian plot).
 * - Nothing is mirrored per half: a team's attacking direction is not normalised here.
 */
export interface PitchDimensions {
  readonly lengthM: number;
  readonly widthM: number;
}

/** FIFA/IFAB recommended size for international matches, and Metrica's sample-data pitch. */
export const DEFAULT_PITCH: PitchDimensions = { lengthM: 105, widthM: 68 };

/**
 * How far beyond the touch and goal lines a sample may lie before it is treated as corrupt.
 * Tracking keeps following players into the run-off, the technical area and the warm-up strip,
 * which IFAB Law 1 and stadium guides put within about 6-10 m of the lines; 15 m leaves room for
 * calibration error while still catching coordinates in the wrong units or frame.
 */
export const PITCH_MARGIN_M = 15;

/** The rectangle a sample must lie in: the pitch grown by `PITCH_MARGIN_M` on every side. */
export function pitchBounds(pitch: PitchDimensions = DEFAULT_PITCH): {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
} {
  return {
    minX: -PITCH_MARGIN_M,
    maxX: pitch.lengthM + PITCH_MARGIN_M,
    minY: -PITCH_MARGIN_M,
    maxY: pitch.widthM + PITCH_MARGIN_M,
  };
}

/**
 * Metrica Sports normalised coordinates -> Sideline metres. Metrica's origin is the top-left corner
 * with y pointing down, on 0..1 of a 105 x 68 m pitch; kloppy flips y the same way (y = 1 - y).
 */
export function fromMetricaNormalised(
  x: number,
  y: number,
  pitch: PitchDimensions = DEFAULT_PITCH,
): { x: number; y: number } {
  return { x: x * pitch.lengthM, y: (1 - y) * pitch.widthM };
}
