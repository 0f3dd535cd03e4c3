import { Aws, Stack, type StackProps } from "aws-cdk-lib";
import {
  type IInterfaceVpcEndpointService,
  InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  Peer,
  Port,
  SecurityGroup,
  Subnet,
  Vpc,
} from "aws-cdk-lib/aws-ec2";
import { AnyPrincipal, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IStream } from "aws-cdk-lib/aws-kinesis";
import type { Construct } from "constructs";
import type { VpcEndpointsConfig } from "../config.js";
import { PRODUCER_STREAM_ACTIONS } from "../constructs/producer-access.js";

/**
 * An interface endpoint takes HTTPS only: its security group must allow 443 from its clients (AWS
 * PrivateLink guide, https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html).
 */
const HTTPS_PORT = 443;

/**
 * What callers in the VPC may do through the SageMaker runtime endpoint: real-time and asynchronous
 * invocations (the pose endpoint and its batch twin), nothing else of the service.
 */
export const POSE_INVOKE_ACTIONS = ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointAsync"];

export interface NetworkStackProps extends StackProps {
  /** The VPC and subnets the endpoints go in, and the CIDR allowed to reach them (config.vpcEndpoints). */
  readonly vpc: VpcEndpointsConfig;
  /** Sideline's streams: the Kinesis endpoint allows writing these only. */
  readonly streams: readonly IStream[];
  /**
   * The pose endpoints' names (real-time and batch): the SageMaker runtime endpoint allows invoking
   * these only.
   * @default - no SageMaker runtime endpoint (pose is off: there is nothing of Sideline's to invoke)
   */
  readonly poseEndpointNames?: readonly string[];
}

/**
 * Private network access, opt-in (context vpcEndpoints): interface VPC endpoints in an existing VPC,
 * so that producers in it (a stadium edge over Direct Connect or VPN, a vision host) reach Kinesis
 * and the pose endpoints without the internet. Private DNS makes each the VPC's only way to its
 * service, and its policy limits it to Sideline's resources, called by this account's principals:
 * - Kinesis: write only (PutRecord(s), and the ListShards and DescribeStreamSummary the KPL needs),
 *   on Sideline's streams. No read: Sideline's consumers are the extractors' event source mappings,
 *   which Lambda's pollers run outside any VPC, so nothing in the VPC has to read a stream.
 * - SageMaker runtime (with pose): InvokeEndpoint(Async) on the pose endpoints.
 * The stream's KMS key is used by Kinesis on the producer's behalf, service to service: producers
 * need no KMS endpoint.
 */
export class NetworkStack extends Stack {
  readonly kinesisEndpoint: InterfaceVpcEndpoint;
  /** @default - none without pose */
  readonly sageMakerRuntimeEndpoint?: InterfaceVpcEndpoint;
  readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const c = props.vpc;
    if (props.streams.length === 0) throw new Error("the Kinesis endpoint needs at least one stream to allow");
    // The VPC by its attributes, not Vpc.fromLookup: synth needs no credentials and no context cache.
    const vpc = Vpc.fromVpcAttributes(this, "Vpc", {
      vpcId: c.vpcId,
      vpcCidrBlock: c.vpcCidr,
      availabilityZones: Stack.of(this).availabilityZones,
    });
    const subnets = c.subnetIds.map((sid) => Subnet.fromSubnetId(this, sid, sid));
    this.securityGroup = new SecurityGroup(this, "EndpointSecurityGroup", {
      vpc,
      description: "Sideline interface endpoints: HTTPS from the VPC only",
      allowAllOutbound: false,
    });
    this.securityGroup.addIngressRule(Peer.ipv4(c.vpcCidr), Port.tcp(HTTPS_PORT), "HTTPS from the VPC");

    const endpoint = (eid: string, service: IInterfaceVpcEndpointService, statement: PolicyStatement) => {
      const e = new InterfaceVpcEndpoint(this, eid, {
        vpc,
        service,
        subnets: { subnets },
        securityGroups: [this.securityGroup],
        privateDnsEnabled: true,
        // The security group above is the endpoints' only ingress; CDK's `open` would add the same rule.
        open: false,
      });
      e.addToPolicy(statement);
      return e;
    };
    // This account's principals only: Sideline's producers assume its producer roles.
    const ownAccount = { StringEquals: { "aws:PrincipalAccount": Aws.ACCOUNT_ID } };
    this.kinesisEndpoint = endpoint(
      "KinesisEndpoint",
      InterfaceVpcEndpointAwsService.KINESIS_STREAMS,
      new PolicyStatement({
        principals: [new AnyPrincipal()],
        actions: PRODUCER_STREAM_ACTIONS,
        resources: props.streams.map((s) => s.streamArn),
        conditions: ownAccount,
      }),
    );
    if (props.poseEndpointNames && props.poseEndpointNames.length > 0)
      this.sageMakerRuntimeEndpoint = endpoint(
        "SageMakerRuntimeEndpoint",
        InterfaceVpcEndpointAwsService.SAGEMAKER_RUNTIME,
        new PolicyStatement({
          principals: [new AnyPrincipal()],
          actions: POSE_INVOKE_ACTIONS,
          resources: props.poseEndpointNames.map((name) =>
            this.formatArn({ service: "sagemaker", resource: "endpoint", resourceName: name }),
          ),
          conditions: ownAccount,
        }),
      );
  }
}
