import { Duration, Stack, type StackProps } from "aws-cdk-lib";
import { EventBus } from "aws-cdk-lib/aws-events";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { Construct } from "constructs";
import { ALL_INSIGHTS_PATTERN } from "../../lambdas/contracts/events/index.js";

/** Insight events are kept for replay a year: a season, so workflows can be re-run over it. */
const ARCHIVE_RETENTION_DAYS = 365;

export interface InsightsStackProps extends StackProps {
  readonly stageName: string;
  readonly dataKey: IKey;
}

/**
 * The insights bus: a custom EventBridge bus, encrypted with the data key, with an archive of every
 * Sideline insight for replay. The event contracts (detail-types, schemas, patterns) live in
 * lambdas/contracts/events/; rules and their targets subscribe to them.
 */
export class InsightsStack extends Stack {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string, props: InsightsStackProps) {
    super(scope, id, props);
    this.bus = new EventBus(this, "Bus", {
      eventBusName: `sideline-insights-${props.stageName}`,
      description: "Sideline insights: fatigue, load, scouting matches",
      kmsKey: props.dataKey,
    });
    this.bus.archive("Archive", {
      archiveName: `sideline-insights-${props.stageName}`,
      description: "Every Sideline insight, for replay",
      // The shared pattern ({"prefix": "sideline."}): CDK types sources as strings, but renders filters as given.
      eventPattern: { source: ALL_INSIGHTS_PATTERN.source as string[] },
      retention: Duration.days(ARCHIVE_RETENTION_DAYS),
    });
  }
}
