/**
 * Who sends a modality's records: one kind of producer per source system. Each modality names its
 * producer in the registry (modalities.ts), and in the cloud each kind gets its own IAM role, allowed
 * to write its modalities' streams and nothing else (lib/constructs/producer-access.ts), trusted by
 * the principals context `producerPrincipals` names for that kind.
 */

export interface ProducerKind {
  /** Lowercase id: the key in context `producerPrincipals`; the role's construct id is its PascalCase. */
  readonly id: string;
  /** What the producer is, in words: the role's description. */
  readonly description: string;
}

/** The stadium's tracking edge: optical, radio or GNSS positions of players and ball. */
export const STADIUM_EDGE: ProducerKind = {
  id: "stadium-edge",
  description: "Stadium edge: sends player and ball positions (optical, radio or GNSS tracking)",
};

/** The wearables gateway: the club's IMU, heart-rate and GNSS devices, and imported session loads. */
export const WEARABLES_GATEWAY: ProducerKind = {
  id: "wearables-gateway",
  description: "Wearables gateway: sends IMU and heart-rate samples and imported session loads",
};

/** Vision: pose keypoints from edge cameras or the club's video system (the cloud's own pose invoker has its own grant). */
export const VISION: ProducerKind = {
  id: "vision",
  description: "Vision: sends pose keypoints from edge cameras or a video system",
};

const ID = /^[a-z][a-z0-9-]{1,30}$/;

/** Throws with what to change when a producer kind's id is not a lowercase id. */
export function validateProducer(p: ProducerKind): void {
  if (!ID.test(p.id)) throw new Error(`producer id '${p.id}' must be lowercase letters, digits and dashes (2-31)`);
}
