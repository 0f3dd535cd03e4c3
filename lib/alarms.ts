/**
 * Sideline's alarms: one datapoint above the threshold raises it, missing data is fine, and both the
 * alarm and its recovery notify the alarm topic (an alarm without actions tells nobody).
 */
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import type { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { Construct } from "constructs";

export function notifyingAlarm(
  scope: Construct,
  id: string,
  metric: IMetric,
  threshold: number,
  description: string,
  action: SnsAction,
): Alarm {
  const a = new Alarm(scope, id, {
    metric,
    threshold,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    alarmDescription: description,
  });
  a.addAlarmAction(action);
  a.addOkAction(action);
  return a;
}
