#!/usr/bin/env bash
# `npm run validate`: synthesize both stages offline (no credentials), and prod again with the pose
# GPU stack, the producer roles and the VPC endpoints on, and run AWS cfn-lint on every template. The pose synth installs sharp for Lambda's
# platform beside the invoker's bundle, so it needs the npm registry. cfn-lint's exit code is a bit mask (2 = errors, 4 = warnings, 8 = informational):
# errors fail the run; warnings are printed.
set -uo pipefail
cd "$(dirname "$0")/.."
export CDK_DISABLE_CLI_TELEMETRY=true CDK_DISABLE_VERSION_CHECK=1
status=0
# An example model URI: synth only needs its shape (the endpoint reads it at deploy time).
POSE_CONTEXT=(-c pose=true -c poseModelDataUrl=s3://club-models-example/movenet/2026-05/model.tar.gz)
# An example scouts' role, so that prod's templates hold the ScoutDecider role (created only for named principals).
DECIDER_CONTEXT=(-c scoutDeciderPrincipals=arn:aws:iam::123456789012:role/scouting-app)
# Example producers and an example VPC, so that prod-pose's templates hold the producer roles and the
# Network stack (created only for named principals and a named VPC).
ACCESS_CONTEXT=(
  -c 'producerPrincipals={"stadium-edge":["arn:aws:iam::123456789012:role/stadium-edge"],"vision":["arn:aws:iam::123456789012:role/vision"]}'
  -c 'vpcEndpoints={"vpcId":"vpc-0123456789abcdef0","vpcCidr":"10.0.0.0/16","subnetIds":["subnet-0123456789abcdef0","subnet-0fedcba9876543210"]}'
)
for stage in dev prod prod-pose; do
  context=(-c "stage=${stage%-pose}")
  [[ $stage == prod* ]] && context+=("${DECIDER_CONTEXT[@]}")
  [[ $stage == *-pose ]] && context+=("${POSE_CONTEXT[@]}" "${ACCESS_CONTEXT[@]}")
  rm -rf "cdk.out/$stage"
  if ! npx cdk synth --quiet "${context[@]}" -o "cdk.out/$stage" > "cdk.out.$stage.log" 2>&1; then
    cat "cdk.out.$stage.log"
    echo "validate: cdk synth failed for stage $stage" >&2
    exit 1
  fi
  rm -f "cdk.out.$stage.log"
  cfn-lint -- cdk.out/"$stage"/*.template.json
  rc=$?
  if (( rc & 2 )); then
    echo "validate: cfn-lint found errors in the $stage templates" >&2
    status=1
  fi
  echo "validate: $stage synthesized, $(ls cdk.out/"$stage"/*.template.json | wc -l) templates, cfn-lint exit $rc"
done
exit $status
