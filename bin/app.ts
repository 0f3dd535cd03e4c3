/**
 * The CDK app. The only place that reads CDK context: it builds the typed configuration and hands
 * objects (keys, buckets, streams, the bus) from stack to stack.
 *
 *   npx cdk deploy --all -c stage=prod
 */
import { App, Tags, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, HIPAASecurityChecks, ServerlessChecks } from "cdk-nag";
import { buildConfig } from "../lib/config.js";
import { buildSideline } from "../lib/sideline.js";

const app = new App();
const config = buildConfig((key) => app.node.tryGetContext(key));
buildSideline(app, config);
// Left out: types that take no Tags in the CloudFormation schema cfn-lint checks (E3002): dashboards, and
// the pose endpoints' Application Auto Scaling targets (taggable through the API, not through CloudFormation).
const untaggable = {
  excludeResourceTypes: ["AWS::CloudWatch::Dashboard", "AWS::ApplicationAutoScaling::ScalableTarget"],
};
Tags.of(app).add("project", "sideline", untaggable);
Tags.of(app).add("stage", config.stage, untaggable);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app), new HIPAASecurityChecks(app));
app.synth();
