/**
 * The wearables modality in the dev stacks: its stream, the wearable-load function with its tables'
 * delivery streams and the squad file bundled, and its two health tables in the lake.
 */
import { Match } from "aws-cdk-lib/assertions";
import { WEARABLES } from "../../lambdas/contracts/modalities.js";
import { devTemplates, type Resources, type Templates } from "./app.js";

describe("Sideline stacks (dev): wearables", () => {
  let t: Templates;
  beforeAll(() => {
    t = devTemplates();
  });

  it("encrypts the wearables stream with the data key", () => {
    t.ingest.hasResourceProperties("AWS::Kinesis::Stream", {
      Name: "sideline-wearables-dev",
      StreamEncryption: { EncryptionType: "KMS", KeyId: Match.anyValue() },
    });
  });

  it("gives wearable-load the delivery streams of exactly its registry tables", () => {
    const fns = t.ingest.findResources("AWS::Lambda::Function", {
      Properties: { Description: Match.stringLikeRegexp(WEARABLES.extractor.description.slice(0, 30)) },
    }) as Resources;
    expect(Object.keys(fns)).toHaveLength(1);
    const vars = (Object.values(fns)[0]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    const streams = JSON.stringify(vars.DELIVERY_STREAMS);
    for (const table of WEARABLES.tables) expect(streams).toContain(`\\"${table.name}\\"`);
    // Not another modality's tables: it cannot write tracking windows or skeletons.
    expect(streams).not.toMatch(/player_windows|pose_frames|biomech_windows/);
  });

  it("creates wearable_windows and player_daily_load in the Glue catalog, as Iceberg tables", () => {
    for (const name of ["wearable_windows", "player_daily_load"])
      t.lakehouse.hasResourceProperties("Custom::IcebergTable", Match.objectLike({ TableName: name }));
  });
});
