/** The CrmDestination construct's validation: it fails on settings EventBridge would refuse at deploy time. */
import { App, Duration, Stack } from "aws-cdk-lib";
import { EventBus, Rule } from "aws-cdk-lib/aws-events";
import { Key } from "aws-cdk-lib/aws-kms";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { CrmDestination, type CrmDestinationProps } from "../../lib/constructs/crm-destination.js";

function build(over: Partial<CrmDestinationProps>): CrmDestination {
  const stack = new Stack(new App(), "T");
  const rule = new Rule(stack, "R", { eventBus: new EventBus(stack, "B"), eventPattern: { source: ["sideline.crm"] } });
  return new CrmDestination(stack, "Crm", {
    rule,
    retry: { deadLetterQueue: new Queue(stack, "D"), retryAttempts: 8, maxEventAge: Duration.hours(24) },
    dataKey: new Key(stack, "K"),
    ...over,
  });
}

describe("CrmDestination", () => {
  it("fails on an endpoint or token URL that is not https (API destinations need TLS)", () => {
    expect(() => build({ endpoint: "http://crm.example.com/hooks" })).toThrow(
      "crm destination: endpoint must be an https:// URL (API destinations need TLS), got 'http://crm.example.com/hooks'",
    );
    expect(() =>
      build({ endpoint: "https://crm.example.com", auth: "oauth", oauthTokenUrl: "ftp://x", oauthClientId: "c" }),
    ).toThrow(/oauthTokenUrl must be an https:\/\/ URL/);
  });

  it("fails on oauth without its token URL and client id", () => {
    expect(() => build({ endpoint: "https://crm.example.com", auth: "oauth" })).toThrow(
      "crm destination: auth oauth needs oauthTokenUrl and oauthClientId",
    );
  });

  it("fails on a rate limit outside EventBridge's 1-300 invocations per second", () => {
    expect(() => build({ endpoint: "https://crm.example.com", rateLimitPerSecond: 301 })).toThrow(
      "crm destination: rateLimitPerSecond must be an integer from 1 to 300, got 301",
    );
  });

  it("waits requests in an encrypted outbox when no endpoint is set", () => {
    const crm = build({});
    expect(crm.outbox).toBeDefined();
    expect(crm.destination).toBeUndefined();
  });
});
