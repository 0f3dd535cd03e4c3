/** What readers produce: samples in Sideline's pitch frame, or bad lines with the reason. */
export interface TrackingSample {
  /** Epoch milliseconds. */
  readonly t: number;
  readonly playerId: string;
  readonly team?: string | undefined;
  readonly entity: "player" | "ball";
  /** Metres in Sideline's pitch frame (see contracts/pitch.ts). */
  readonly x: number;
  readonly y: number;
  readonly period?: number | undefined;
}

export type ReaderItem =
  | { readonly kind: "sample"; readonly sample: TrackingSample }
  | {
      readonly kind: "bad";
      /** `file:line` */
      readonly ref: string;
      readonly reason: string;
      readonly payload: string;
      /** Samples the bad line would have held (a wide row holds many). */
      readonly samples: number;
    };

export const TRACKING_FORMATS = ["long-csv", "metrica"] as const;
export type TrackingFormat = (typeof TRACKING_FORMATS)[number];
