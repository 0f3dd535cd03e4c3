/**
 * `sideline crm set-credentials --target aws` against a recording AWS API on 127.0.0.1 that speaks
 * CloudFormation (query protocol, XML), Secrets Manager and EventBridge (JSON 1.1) just enough: the
 * exact calls, what reaches the secret and the connection, and that the credential is never printed.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CRM_DEPLOYED } from "../../local/cli/crm-aws.js";
import { ROOT } from "../helpers/cli.js";
import { sidelineInProcess } from "../helpers/cli-in-process.js";

const dir = mkdtempSync(join(tmpdir(), "sideline-crm-"));
const CREDENTIALS = { AWS_ACCESS_KEY_ID: "LOCAL", AWS_SECRET_ACCESS_KEY: "LOCAL", AWS_REGION: "eu-west-1" };
const TOKEN = "crm-tok-7f3a9c1e5b";
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:CrmCredentials2CE96E65-AbCdEf";
const CONNECTION = "Sideline-prod-Automation-CrmConnection380D27F2-1X2Y3Z";
const REASON = "Authorization failed: the endpoint returned 401 Unauthorized";

type Call = { operation: string; body: Record<string, unknown> };

/** What the fake EventBridge's DescribeConnection answers, first call first; the last repeats. */
interface Fake {
  readonly authorizationType: "API_KEY" | "OAUTH_CLIENT_CREDENTIALS";
  readonly states: readonly { ConnectionState: string; StateReason?: string }[];
  /** Logical ids the fake stack has, with their physical ids. */
  readonly stack?: Readonly<Record<string, string>>;
}

function describeConnection(f: Fake, i: number): Record<string, unknown> {
  const state = f.states[Math.min(i, f.states.length - 1)]!;
  return {
    Name: CONNECTION,
    ConnectionArn: `arn:aws:events:eu-west-1:111122223333:connection/${CONNECTION}/abc`,
    AuthorizationType: f.authorizationType,
    AuthParameters:
      f.authorizationType === "API_KEY"
        ? { ApiKeyAuthParameters: { ApiKeyName: "Authorization" } }
        : {
            OAuthParameters: {
              AuthorizationEndpoint: "https://crm.example.com/oauth/token",
              ClientParameters: { ClientID: "sideline" },
              HttpMethod: "POST",
            },
          },
    ...state,
  };
}

const CFN_NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/";

/** One 127.0.0.1 endpoint for the three services; records every call. */
class RecordingAws {
  readonly calls: Call[] = [];
  private readonly server: Server;
  private describes = 0;

  constructor(private readonly fake: Fake) {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => this.answer(req, body, res));
    });
  }

  private answer(req: IncomingMessage, body: string, res: ServerResponse): void {
    const target = req.headers["x-amz-target"];
    if (typeof target !== "string") {
      // CloudFormation: a form-encoded query, an XML answer.
      const form = Object.fromEntries(new URLSearchParams(body));
      const { Action, Version: _v, ...params } = form;
      this.calls.push({ operation: Action!, body: params });
      const physical = this.fake.stack?.[params.LogicalResourceId!];
      if (!physical) {
        res
          .writeHead(400, { "content-type": "text/xml" })
          .end(
            `<ErrorResponse xmlns="${CFN_NS}"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack '${params.StackName}' does not exist</Message></Error><RequestId>r1</RequestId></ErrorResponse>`,
          );
        return;
      }
      res
        .writeHead(200, { "content-type": "text/xml" })
        .end(
          `<DescribeStackResourceResponse xmlns="${CFN_NS}"><DescribeStackResourceResult><StackResourceDetail><StackName>${params.StackName}</StackName><LogicalResourceId>${params.LogicalResourceId}</LogicalResourceId><PhysicalResourceId>${physical}</PhysicalResourceId><ResourceType>AWS::Events::Connection</ResourceType><LastUpdatedTimestamp>2026-06-01T10:00:00Z</LastUpdatedTimestamp><ResourceStatus>CREATE_COMPLETE</ResourceStatus></StackResourceDetail></DescribeStackResourceResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></DescribeStackResourceResponse>`,
        );
      return;
    }
    const operation = target.replace(/^(AWSEvents|secretsmanager)\./, "");
    this.calls.push({ operation, body: JSON.parse(body) });
    const answers: Record<string, () => unknown> = {
      DescribeConnection: () => describeConnection(this.fake, this.describes++),
      UpdateConnection: () => ({ ConnectionArn: "arn", ConnectionState: "UPDATING" }),
      PutSecretValue: () => ({ ARN: SECRET_ARN, Name: "CrmCredentials2CE96E65-AbCdEf", VersionId: "v2" }),
    };
    res.writeHead(200, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(answers[operation]!()));
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close = () => new Promise<void>((r) => this.server.close(() => r()));
}

/**
 * The real CLI: in a child process with `input` on its stdin when the credential comes from stdin; in
 * this process (no child start-up) when it comes from a variable (`--token-env`) and stdin is unused.
 */
async function sideline(
  input: string,
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  if (input === "" && args.includes("--token-env")) {
    const vars = { ...CREDENTIALS, ...env };
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    Object.assign(process.env, vars);
    try {
      return await sidelineInProcess(...args);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }
  return new Promise((resolve, reject) => {
    const child = spawn("node", [join(ROOT, "bin/sideline.js"), ...args], {
      cwd: dir,
      env: { ...process.env, ...CREDENTIALS, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

const DEFAULT_STACK = {
  [CRM_DEPLOYED.connectionLogicalId]: CONNECTION,
  [CRM_DEPLOYED.secretLogicalId]: SECRET_ARN,
};

describe("sideline crm set-credentials --target aws", () => {
  let aws: RecordingAws;
  let url: string;
  const start = async (fake: Fake) => {
    aws = new RecordingAws(fake);
    url = await aws.start();
  };
  afterEach(() => aws?.close());

  it("API key from stdin: finds the stage's secret and connection in its stack, writes 'Bearer <token>' to both, reports AUTHORIZED", async () => {
    // GIVEN a prod stack whose API-key connection authorizes at once
    await start({ authorizationType: "API_KEY", states: [{ ConnectionState: "AUTHORIZED" }], stack: DEFAULT_STACK });

    // WHEN the token is piped in, as `echo` leaves it (one final line break)
    const r = await sideline(
      `${TOKEN}\n`,
      {},
      "crm",
      "set-credentials",
      "--target",
      "aws",
      "--stage",
      "prod",
      "--endpoint",
      url,
    );

    // THEN the stack's resources, the connection's type, the secret, the connection, its state
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(aws.calls).toEqual([
      {
        operation: "DescribeStackResource",
        body: { StackName: "Sideline-prod-Automation", LogicalResourceId: "CrmConnection380D27F2" },
      },
      {
        operation: "DescribeStackResource",
        body: { StackName: "Sideline-prod-Automation", LogicalResourceId: "CrmCredentials2CE96E65" },
      },
      { operation: "DescribeConnection", body: { Name: CONNECTION } },
      {
        operation: "PutSecretValue",
        // ClientRequestToken: the SDK's idempotency token for the new secret version
        body: {
          SecretId: SECRET_ARN,
          SecretString: JSON.stringify({ apiKey: `Bearer ${TOKEN}` }),
          ClientRequestToken: expect.any(String),
        },
      },
      {
        operation: "UpdateConnection",
        body: {
          Name: CONNECTION,
          AuthorizationType: "API_KEY",
          AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "Authorization", ApiKeyValue: `Bearer ${TOKEN}` } },
        },
      },
      { operation: "DescribeConnection", body: { Name: CONNECTION } },
    ]);
    expect(r.stdout).toBe(`updated secret ${SECRET_ARN} (apiKey) and connection ${CONNECTION} (API_KEY): AUTHORIZED\n`);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it("OAuth from --token-env, names given: writes the client secret with the connection's client id, waits through AUTHORIZING", async () => {
    // GIVEN an OAuth connection that takes one look to authorize
    await start({
      authorizationType: "OAUTH_CLIENT_CREDENTIALS",
      states: [
        { ConnectionState: "AUTHORIZED" },
        { ConnectionState: "AUTHORIZING" },
        { ConnectionState: "AUTHORIZED" },
      ],
    });

    // WHEN the secret is in a variable the command is told the name of, and both names are given
    const r = await sideline(
      "",
      { CRM_CLIENT_SECRET: TOKEN },
      "crm",
      "set-credentials",
      "--target",
      "aws",
      "--token-env",
      "CRM_CLIENT_SECRET",
      "--connection",
      CONNECTION,
      "--secret-id",
      "CrmCredentials",
      "--endpoint",
      url,
    );

    // THEN no stack look-up, the client secret as is, and the state after AUTHORIZING
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(aws.calls.map((c) => c.operation)).toEqual([
      "DescribeConnection",
      "PutSecretValue",
      "UpdateConnection",
      "DescribeConnection",
      "DescribeConnection",
    ]);
    expect(aws.calls[1]!.body).toEqual({
      SecretId: "CrmCredentials",
      SecretString: JSON.stringify({ clientSecret: TOKEN }),
      ClientRequestToken: expect.any(String),
    });
    expect(aws.calls[2]!.body).toEqual({
      Name: CONNECTION,
      AuthorizationType: "OAUTH_CLIENT_CREDENTIALS",
      AuthParameters: { OAuthParameters: { ClientParameters: { ClientID: "sideline", ClientSecret: TOKEN } } },
    });
    expect(r.stdout).toBe(
      `updated secret CrmCredentials (clientSecret) and connection ${CONNECTION} (OAUTH_CLIENT_CREDENTIALS): AUTHORIZED\n`,
    );
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it("--header-value: the credential is the whole Authorization header value, sent as is", async () => {
    await start({ authorizationType: "API_KEY", states: [{ ConnectionState: "AUTHORIZED" }], stack: DEFAULT_STACK });
    const header = `Token ${TOKEN}`;
    const r = await sideline(
      "",
      { CRM_HEADER: header },
      "crm",
      "set-credentials",
      "--target",
      "aws",
      "--token-env",
      "CRM_HEADER",
      "--header-value",
      "--endpoint",
      url,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // The dev stack's names by default
    expect(aws.calls[0]!.body).toEqual({
      StackName: "Sideline-dev-Automation",
      LogicalResourceId: "CrmConnection380D27F2",
    });
    expect(aws.calls.find((c) => c.operation === "UpdateConnection")!.body.AuthParameters).toEqual({
      ApiKeyAuthParameters: { ApiKeyName: "Authorization", ApiKeyValue: header },
    });
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it("fails (exit 1) with EventBridge's reason when the connection ends DEAUTHORIZED, the credential unprinted", async () => {
    // GIVEN a CRM that refuses the token
    await start({
      authorizationType: "API_KEY",
      states: [{ ConnectionState: "AUTHORIZED" }, { ConnectionState: "DEAUTHORIZED", StateReason: REASON }],
      stack: DEFAULT_STACK,
    });

    // WHEN
    const r = await sideline(
      "",
      { CRM_TOKEN: TOKEN },
      "crm",
      "set-credentials",
      "--target",
      "aws",
      "--token-env",
      "CRM_TOKEN",
      "--endpoint",
      url,
    );

    // THEN both were written, and the user reads the state and its reason
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `sideline: error: secret ${SECRET_ARN} and connection ${CONNECTION} updated, but the connection is DEAUTHORIZED: ${REASON}: check the credential with the CRM and run set-credentials again\n`,
    );
    expect(aws.calls.map((c) => c.operation)).toContain("UpdateConnection");
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it("fails (exit 1) before writing anything when the stage's stack has no CRM connection, and says why", async () => {
    await start({ authorizationType: "API_KEY", states: [{ ConnectionState: "AUTHORIZED" }], stack: {} });
    const r = await sideline(
      "",
      { CRM_TOKEN: TOKEN },
      "crm",
      "set-credentials",
      "--target",
      "aws",
      "--token-env",
      "CRM_TOKEN",
      "--endpoint",
      url,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^sideline: error: cannot find the connection in stack Sideline-dev-Automation \(.*\): deploy with crmEndpoint set/,
    );
    expect(aws.calls.map((c) => c.operation)).toEqual(["DescribeStackResource"]);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it("refuses (exit 2) --header-value with an OAuth connection, before writing the secret", async () => {
    await start({ authorizationType: "OAUTH_CLIENT_CREDENTIALS", states: [{ ConnectionState: "AUTHORIZED" }] });
    const r = await sideline(
      "",
      { CRM_TOKEN: TOKEN },
      "crm",
      "set-credentials",
      "--target",
      "aws",
      "--token-env",
      "CRM_TOKEN",
      "--header-value",
      "--connection",
      CONNECTION,
      "--secret-id",
      "CrmCredentials",
      "--endpoint",
      url,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--header-value is for API-key connections: this one uses OAuth");
    expect(aws.calls.map((c) => c.operation)).toEqual(["DescribeConnection"]);
  });

  it.each([
    ["an empty stdin", "", "stdin was empty"],
    ["two lines", `${TOKEN}\nsecond\n`, "has a line break, another control character or a ':'"],
    ["a ':'", `user:${TOKEN}`, "has a line break, another control character or a ':'"],
    ["over 512 characters", "x".repeat(513), "the credential is 513 characters: EventBridge takes 512 at most"],
  ])("refuses (exit 2) %s on stdin before any call, without echoing it", async (_what, input, message) => {
    await start({ authorizationType: "API_KEY", states: [{ ConnectionState: "AUTHORIZED" }], stack: DEFAULT_STACK });
    const r = await sideline(input, {}, "crm", "set-credentials", "--target", "aws", "--endpoint", url);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(aws.calls).toEqual([]);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });
});

describe("sideline crm: usage errors (exit 2, one line, nothing read or sent)", () => {
  it.each([
    [["crm"], "crm takes set-credentials: sideline crm set-credentials --target aws < token.txt"],
    // A token pasted on the command line is refused, and not repeated
    [
      ["crm", "set-credentials", TOKEN, "--target", "aws"],
      "crm takes set-credentials: sideline crm set-credentials --target aws < token.txt",
    ],
    [["crm", "set-credentials"], "crm set-credentials needs --target aws (the deployed connection)"],
    [
      ["crm", "set-credentials", "--target", "local"],
      "there is nothing to set locally: the local runtime reads SIDELINE_CRM_TOKEN (and SIDELINE_CRM_URL) each time it runs; export it in the shell that runs sideline",
    ],
    [
      ["crm", "set-credentials", "--target", "gcp"],
      "unknown target 'gcp': expected aws (or local, which reads SIDELINE_CRM_TOKEN)",
    ],
    [["crm", "set-credentials", "--target", "aws", "--stage", "qa"], "--stage must be dev or prod, got 'qa'"],
    [["crm", "set-credentials", "--target", "aws", "--token", TOKEN], "crm has no option '--token'"],
    [
      ["crm", "set-credentials", "--target", "aws", "--token-env", "SIDELINE_TEST_UNSET_VARIABLE"],
      "environment variable SIDELINE_TEST_UNSET_VARIABLE is not set or is empty",
    ],
  ])("%j", async (args, message) => {
    const r = await sidelineInProcess(...args);
    expect(r).toEqual({
      code: 2,
      stdout: "",
      stderr: `sideline: error: ${message}\nrun 'sideline help crm' for usage\n`,
    });
  });
});
