/**
 * `sideline crm set-credentials` finds and writes what the CDK app deploys: CRM_DEPLOYED (the CLI's
 * copy of the stack name, logical ids, API key header and secret fields) against the synthesized
 * automation stack, for both authorization types.
 */
import { Template } from "aws-cdk-lib/assertions";
import { CRM_DEPLOYED } from "../../local/cli/crm-aws.js";
import { buildApp, type Resources } from "./app.js";

const CRM = {
  stage: "dev",
  crmEndpoint: "https://crm.example.com/hooks/sideline",
  crmOAuthTokenUrl: "https://crm.example.com/oauth/token",
  crmOAuthClientId: "sideline",
};

/** `{{resolve:secretsmanager:<CrmCredentials>:SecretString:<field>::}}`, as CDK renders SecretValue.secretsManager. */
const resolvesField = (field: string) => ({
  "Fn::Join": ["", ["{{resolve:secretsmanager:", { Ref: CRM_DEPLOYED.secretLogicalId }, `:SecretString:${field}::}}`]],
});

describe("sideline crm's view of the deployed CRM destination", () => {
  it.each([
    ["api-key", "API_KEY"],
    ["oauth", "OAUTH_CLIENT_CREDENTIALS"],
  ] as const)("crmAuth %s: the stack name, logical ids, header and secret field the CLI uses", (crmAuth, type) => {
    // GIVEN the dev app with a CRM endpoint
    const { stacks } = buildApp({ ...CRM, crmAuth });
    const resources = Template.fromStack(stacks.automation).toJSON().Resources as Resources;

    // THEN the CLI's stack name and logical ids name the secret and the connection
    expect(stacks.automation.stackName).toBe(CRM_DEPLOYED.stackName("dev"));
    const secret = resources[CRM_DEPLOYED.secretLogicalId];
    const connection = resources[CRM_DEPLOYED.connectionLogicalId];
    expect(secret?.Type).toBe("AWS::SecretsManager::Secret");
    expect(connection?.Type).toBe("AWS::Events::Connection");

    // AND the connection has the type the CLI updates with, reading the secret field the CLI writes
    const field = CRM_DEPLOYED.secretField[type];
    expect(connection!.Properties!.AuthorizationType).toBe(type);
    expect((secret!.Properties!.GenerateSecretString as { GenerateStringKey: string }).GenerateStringKey).toBe(field);
    const auth = connection!.Properties!.AuthParameters as Record<string, Record<string, unknown>>;
    if (type === "API_KEY")
      expect(auth.ApiKeyAuthParameters).toEqual({
        ApiKeyName: CRM_DEPLOYED.apiKeyHeader,
        ApiKeyValue: resolvesField(field),
      });
    else
      expect(auth.OAuthParameters!.ClientParameters).toEqual({
        ClientID: CRM.crmOAuthClientId,
        ClientSecret: resolvesField(field),
      });
  });
});
