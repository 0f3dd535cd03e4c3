/**
 * The CDK app. The only place that reads CDK context: it builds the typed configuration and hands
 * objects (keys, buckets, streams, the bus) from stack to stack.
 *
 *   npx cdk deploy --all -c stage=prod
 */
import { App, Tags, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import { buildConfig } from "../lib/config.js";
import { buildSideline } from "../lib/sideline.js";

const app = new App();
const config = buildConfig((key) => app.node.tryGetContext(key));
buildSideline(app, config);
// Dashboards are left out: AWS::CloudWatch::Dashboard takes no Tags in the CloudFormation schema cfn-lint checks.
const untaggable = { excludeResourceTypes: ["AWS::CloudWatch::Dashboard"] };
Tags.of(app).add("project", "sideline", untaggable);
Tags.of(app).add("stage", config.stage, untaggable);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
app.synth();
