/**
 * Optional interface VPC endpoints (context vpcEndpoints): Kinesis, and SageMaker runtime with pose,
 * in the named VPC and subnets, private DNS on, reachable on HTTPS from the VPC only, and with
 * policies that allow Sideline's streams (write only) and pose endpoints (invoke only) to this
 * account's principals; none without the context key.
 */
import { Match, Template } from "aws-cdk-lib/assertions";
import { MODALITIES } from "../../lambdas/contracts/modalities.js";
import { buildConfig } from "../../lib/config.js";
import { PRODUCER_STREAM_ACTIONS } from "../../lib/constructs/producer-access.js";
import { POSE_INVOKE_ACTIONS } from "../../lib/stacks/network-stack.js";
import { poseBatchEndpointName, poseEndpointName } from "../../lib/stacks/pose-stack.js";
import { buildApp, type Resources } from "./app.js";
import { buildPoseApp, POSE_CONTEXT } from "./pose-app.js";

const VPC = {
  vpcId: "vpc-0123456789abcdef0",
  vpcCidr: "10.20.0.0/16",
  subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
};

interface Statement {
  Action: string[];
  Condition: unknown;
  Effect: string;
  Principal: unknown;
  Resource: unknown[];
}

/** The interface endpoints of a template, by the service their name ends with. */
function endpoints(t: Template): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.values(t.findResources("AWS::EC2::VPCEndpoint") as Resources).map((r) => {
      const name = JSON.stringify(r.Properties!.ServiceName);
      return [/\.([a-z.-]+)"\]\]\}$/.exec(name)![1]!, r.Properties!];
    }),
  );
}

const ownAccount = { StringEquals: { "aws:PrincipalAccount": { Ref: "AWS::AccountId" } } };

describe("VPC endpoints", () => {
  it("creates none, and no network stack, without the context key", () => {
    const { stacks } = buildApp({ stage: "dev" });
    expect(stacks.network).toBeUndefined();
    for (const s of Object.values(stacks)) Template.fromStack(s).resourceCountIs("AWS::EC2::VPCEndpoint", 0);
  });

  it("puts a Kinesis endpoint in the named subnets, private DNS on, HTTPS from the VPC only, writing Sideline's streams only", () => {
    const { stacks } = buildApp({ stage: "dev", vpcEndpoints: VPC });
    const t = Template.fromStack(stacks.network!);
    const e = endpoints(t);
    // Without pose there is no Sideline endpoint to invoke: no SageMaker runtime endpoint.
    expect(Object.keys(e)).toEqual(["kinesis-streams"]);
    const k = e["kinesis-streams"]!;
    expect(k).toMatchObject({
      VpcId: VPC.vpcId,
      SubnetIds: VPC.subnetIds,
      PrivateDnsEnabled: true,
      VpcEndpointType: "Interface",
    });
    const [statement, ...others] = (k.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(others).toEqual([]);
    expect(statement).toMatchObject({ Effect: "Allow", Principal: { AWS: "*" }, Condition: ownAccount });
    expect([...statement!.Action].sort()).toEqual([...PRODUCER_STREAM_ACTIONS].sort());
    // Exactly the deployed streams' ARNs, imported from the ingest stack.
    const ingest = Template.fromStack(stacks.ingest).toJSON().Resources as Resources;
    const streamIds = Object.entries(ingest)
      .filter(([, r]) => r.Type === "AWS::Kinesis::Stream")
      .map(([id]) => id);
    expect(streamIds).toHaveLength(MODALITIES.length);
    const imported = statement!.Resource.map((r) => (r as { "Fn::ImportValue": string })["Fn::ImportValue"]);
    expect(imported).toHaveLength(streamIds.length);
    for (const id of streamIds) expect(imported.filter((i) => i.includes(`GetAtt${id}Arn`))).toHaveLength(1);

    // The endpoints' security group: 443 from the VPC's CIDR, nothing else in, nothing out.
    t.resourceCountIs("AWS::EC2::SecurityGroup", 1);
    t.hasResourceProperties("AWS::EC2::SecurityGroup", {
      VpcId: VPC.vpcId,
      SecurityGroupIngress: [{ CidrIp: VPC.vpcCidr, IpProtocol: "tcp", FromPort: 443, ToPort: 443 }].map((x) =>
        Match.objectLike(x),
      ),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: "255.255.255.255/32", Description: "Disallow all traffic" })],
    });
    t.resourceCountIs("AWS::EC2::SecurityGroupIngress", 0);
    expect(JSON.stringify(k.SecurityGroupIds)).toMatch(/EndpointSecurityGroup/);
  });

  it("adds, with pose, a SageMaker runtime endpoint that invokes the two pose endpoints only", () => {
    const { stacks } = buildPoseApp({ vpcEndpoints: VPC });
    const e = endpoints(Template.fromStack(stacks.network!));
    expect(Object.keys(e).sort()).toEqual(["kinesis-streams", "sagemaker.runtime"]);
    const s = e["sagemaker.runtime"]!;
    expect(s).toMatchObject({ PrivateDnsEnabled: true, SubnetIds: VPC.subnetIds, VpcId: VPC.vpcId });
    const [statement, ...others] = (s.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(others).toEqual([]);
    expect(statement).toMatchObject({ Effect: "Allow", Principal: { AWS: "*" }, Condition: ownAccount });
    expect([...statement!.Action].sort()).toEqual([...POSE_INVOKE_ACTIONS].sort());
    const arn = (name: string) => ({
      "Fn::Join": [
        "",
        [
          "arn:",
          { Ref: "AWS::Partition" },
          ":sagemaker:",
          { Ref: "AWS::Region" },
          ":",
          { Ref: "AWS::AccountId" },
          `:endpoint/${name}`,
        ],
      ],
    });
    expect(statement!.Resource).toEqual(
      expect.arrayContaining([arn(poseEndpointName("dev")), arn(poseBatchEndpointName("dev"))]),
    );
    expect(statement!.Resource).toHaveLength(2);
    // The pose endpoints the policy names are the ones the pose stack deploys.
    const pose = Template.fromStack(stacks.pose!);
    for (const name of [poseEndpointName("dev"), poseBatchEndpointName("dev")])
      pose.hasResourceProperties("AWS::SageMaker::Endpoint", { EndpointName: name });
  });
});

describe("vpcEndpoints in the configuration", () => {
  const ctx = (values: Record<string, unknown>) => (k: string) => values[k];

  it("is off by default, and takes an object (cdk.json) or a JSON string (-c)", () => {
    expect(buildConfig(ctx({}), {}).vpcEndpoints).toBeUndefined();
    expect(buildConfig(ctx({ vpcEndpoints: VPC }), {}).vpcEndpoints).toEqual(VPC);
    expect(buildConfig(ctx({ vpcEndpoints: JSON.stringify(VPC) }), {}).vpcEndpoints).toEqual(VPC);
    expect(buildConfig(ctx({ ...POSE_CONTEXT, vpcEndpoints: VPC }), {}).vpcEndpoints).toEqual(VPC);
  });

  it.each([
    [
      { ...VPC, vpcId: "vpc-123" },
      "context 'vpcEndpoints.vpcId' must be a VPC id (vpc-0123456789abcdef0), got 'vpc-123'",
    ],
    [{ ...VPC, vpcCidr: "10.0.0.0/8" }, "context 'vpcEndpoints.vpcCidr' must be the VPC's IPv4 CIDR, /16 to /28"],
    [{ ...VPC, vpcCidr: "10.0.300.0/16" }, "context 'vpcEndpoints.vpcCidr' must be the VPC's IPv4 CIDR"],
    [{ ...VPC, subnetIds: [] }, "context 'vpcEndpoints.subnetIds' must list at least one subnet id of the VPC"],
    [{ ...VPC, subnetIds: ["sn-1"] }, "context 'vpcEndpoints.subnetIds' has 'sn-1': it must be a subnet id"],
    [{ ...VPC, subnets: VPC.subnetIds }, "context 'vpcEndpoints' has unknown key 'subnets'"],
    ["vpc-0123456789abcdef0", "context 'vpcEndpoints' must be a JSON object"],
  ])("fails on %j, saying what to change", (value, message) => {
    expect(() => buildConfig(ctx({ vpcEndpoints: value }), {})).toThrow(message);
  });
});
