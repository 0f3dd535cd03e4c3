/**
 * Access follows data classification (lambdas/contracts/tables/schema.ts): which customer managed
 * key encrypts a class, and the principal tag a special-category key's policy requires of whoever
 * decrypts it. Health and biometric data are GDPR Art. 9 special categories: each has its own key, and
 * that key's policy denies decryption to any principal not tagged for the class (attribute-based
 * access control: https://docs.aws.amazon.com/kms/latest/developerguide/abac.html), whatever its IAM
 * policies allow. Performance data and media metadata share the data key, governed by IAM alone.
 */
import { Tags } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import { type AnyTable, type DataClassification, storageClassification } from "../lambdas/contracts/tables/schema.js";

/** The keys data is encrypted under: one per special category, one for the rest. */
export const KEY_CLASSES = ["performance", "biometric", "health"] as const;
export type KeyClass = (typeof KEY_CLASSES)[number];

/** Which key encrypts each data class. Media metadata (where frames are, what they show) is not special-category data. */
export const KEY_CLASS_OF: Readonly<Record<DataClassification, KeyClass>> = {
  performance: "performance",
  "media-metadata": "performance",
  biometric: "biometric",
  health: "health",
};

/** The key a table's files are stored under: its most sensitive column's class's. */
export const tableKeyClass = (t: AnyTable): KeyClass => KEY_CLASS_OF[storageClassification(t)];

/** The key classes whose key policy requires the decrypt tag (the GDPR Art. 9 special categories). */
export const SPECIAL_CATEGORY_KEYS: readonly KeyClass[] = ["biometric", "health"];

/** The principal tag key that a special-category key's policy requires for decryption, e.g. sideline:decrypt-health. */
export const decryptTagKey = (k: KeyClass) => `sideline:decrypt-${k}`;
/** The tag's value. */
export const DECRYPT_TAG_VALUE = "true";

/**
 * Marks a role as allowed to decrypt the keys of these classes: the tag that the key policy requires.
 * IAM must grant the key as well (grant* calls do); the tag alone grants nothing. Call it next to the
 * grant, with the reason the role reads that class.
 */
export function allowDecrypt(role: IConstruct, ...classes: readonly KeyClass[]): void {
  for (const k of classes) Tags.of(role).add(decryptTagKey(k), DECRYPT_TAG_VALUE);
}
