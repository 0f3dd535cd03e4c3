/** What readers produce: tracking samples in Sideline's pitch frame, whole stream records (any modality), or bad lines with the reason. */
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
  /** A record of the format's modality, already validated against its contract (e.g. sideline.pose.v1). */
  | { readonly kind: "record"; readonly record: unknown }
  | {
      readonly kind: "bad";
      /** `file:line` */
      readonly ref: string;
      readonly reason: string;
      readonly payload: string;
      /** Samples the bad line would have held (a wide row holds many). */
      readonly samples: number;
    };
