"""The emulator deploy's handlers of the scheduled sync's resources (``components.RecordingSync``):
each creates its resource in moto (Secrets Manager, CloudWatch Logs, Lambda, SQS, EventBridge
Scheduler, CloudWatch) and answers what the create call returned. A mixin of
``localdev.emulator_deploy.MotoDeployMocks``.

moto creates a Lambda function but cannot invoke it (that needs Docker): each function is kept as a
``DeployedFunction`` (its configuration as CreateFunction answered, and the uploaded archive) for
``localdev.lambda_runner`` to run as Lambda would. ``to_aws_shape`` and ``num`` turn Pulumi's inputs
into the shapes boto3 expects, for these handlers and the emulator deploy's.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from localdev.moto_server import MotoServer

# Pulumi property names that do not become AWS API names by capitalising the first letter.
_AWS_NAME_EXCEPTIONS = {"id": "ID", "sseAlgorithm": "SSEAlgorithm", "kmsMasterKeyId": "KMSMasterKeyID"}


def to_aws_shape(value: Any) -> Any:
    """Pulumi's camelCase inputs -> the PascalCase shapes boto3 expects (numbers arrive as floats):
    for these handlers and the emulator deploy's."""
    if isinstance(value, dict):
        return {
            _AWS_NAME_EXCEPTIONS.get(key, key[:1].upper() + key[1:]): to_aws_shape(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [to_aws_shape(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def num(value: Any) -> Any:
    """A number Pulumi handed over as a float, whole again where it is whole."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


@dataclass(frozen=True)
class DeployedFunction:
    """A Lambda function as moto's CreateFunction answered (its configuration: environment, role,
    handler, runtime, CodeSha256), and the archive that was uploaded. moto cannot invoke it (that
    needs Docker): ``localdev.lambda_runner`` runs it as Lambda would, from these."""

    name: str
    configuration: dict[str, Any]
    archive: Path
    # What its schedule delivers on each invocation (the target's input), once a schedule targets it.
    scheduled_input: str | None = None


class SyncResourceHandlers:
    """The scheduled sync's resources in moto (a mixin of MotoDeployMocks): Secrets Manager, Logs,
    Lambda, SQS, EventBridge Scheduler and CloudWatch, as their create calls answer."""

    server: MotoServer
    functions: list[DeployedFunction]
    _unique: itertools.count[int]

    refusal: Callable[[str], Exception]  # MotoDeployMocks': an EmulatorDeployError

    def _autoname(self, name: str, inputs: dict[str, Any]) -> str:
        if inputs.get("namePrefix"):
            return f"{inputs['namePrefix']}{time.strftime('%Y%m%d%H%M%S')}{next(self._unique):06d}"
        return str(inputs.get("name") or f"{name}-{next(self._unique):07x}")

    def _account(self) -> str:
        return str(self.server.client("sts").get_caller_identity()["Account"])

    def _secret(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        create: dict[str, Any] = {
            "Name": self._autoname(name, inputs),
            "Description": inputs.get("description", ""),
        }
        if inputs.get("kmsKeyId"):
            create["KmsKeyId"] = inputs["kmsKeyId"]
        if inputs.get("tags"):
            create["Tags"] = [{"Key": k, "Value": str(v)} for k, v in inputs["tags"].items()]
        secret = self.server.client("secretsmanager", region).create_secret(**create)
        return secret["ARN"], {"arn": secret["ARN"], "name": secret["Name"]}

    def _secret_version(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        version = self.server.client("secretsmanager", region).put_secret_value(
            SecretId=inputs["secretId"], SecretString=inputs["secretString"]
        )
        return f"{version['ARN']}|{version['VersionId']}", {
            "arn": version["ARN"],
            "versionId": version["VersionId"],
        }

    def _log_group(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        logs = self.server.client("logs", region)
        group = self._autoname(name, inputs)
        logs.create_log_group(logGroupName=group)
        if inputs.get("retentionInDays"):
            logs.put_retention_policy(logGroupName=group, retentionInDays=num(inputs["retentionInDays"]))
        return group, {"name": group, "arn": f"arn:aws:logs:{region}:{self._account()}:log-group:{group}"}

    def _function(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        archive = Path(inputs["code"].path)
        create: dict[str, Any] = {
            "FunctionName": self._autoname(name, inputs),
            "Role": inputs["role"],
            "Runtime": inputs["runtime"],
            "Handler": inputs["handler"],
            "Code": {"ZipFile": archive.read_bytes()},
            "Timeout": num(inputs["timeout"]),
            "MemorySize": num(inputs["memorySize"]),
            "Architectures": inputs["architectures"],
            "Environment": {"Variables": inputs["environment"]["variables"]},
            "Description": inputs.get("description", ""),
            "Tags": {k: str(v) for k, v in (inputs.get("tags") or {}).items()},
        }
        if inputs.get("loggingConfig"):
            create["LoggingConfig"] = to_aws_shape(inputs["loggingConfig"])
        lambda_ = self.server.client("lambda", region)
        configuration = lambda_.create_function(**create)
        configuration.pop("ResponseMetadata", None)
        function = configuration["FunctionName"]
        if inputs.get("reservedConcurrentExecutions") is not None:
            lambda_.put_function_concurrency(
                FunctionName=function,
                ReservedConcurrentExecutions=num(inputs["reservedConcurrentExecutions"]),
            )
        self.functions.append(DeployedFunction(function, configuration, archive))
        return function, {
            "name": function,
            "arn": configuration["FunctionArn"],
            "invokeArn": configuration["FunctionArn"],
        }

    def _invoke_config(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        self.server.client("lambda", region).put_function_event_invoke_config(
            FunctionName=inputs["functionName"],
            MaximumRetryAttempts=num(inputs["maximumRetryAttempts"]),
            MaximumEventAgeInSeconds=num(inputs["maximumEventAgeInSeconds"]),
        )
        return str(inputs["functionName"]), {}

    def _queue(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        sqs = self.server.client("sqs", region)
        attributes = {"SqsManagedSseEnabled": str(bool(inputs.get("sqsManagedSseEnabled"))).lower()}
        if inputs.get("messageRetentionSeconds"):
            attributes["MessageRetentionPeriod"] = str(num(inputs["messageRetentionSeconds"]))
        queue = self._autoname(name, inputs)
        url = sqs.create_queue(QueueName=queue, Attributes=attributes)["QueueUrl"]
        return url, {"name": queue, "url": url, "arn": f"arn:aws:sqs:{region}:{self._account()}:{queue}"}

    def _schedule(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        schedule = self._autoname(name, inputs)
        created = self.server.client("scheduler", region).create_schedule(
            Name=schedule,
            Description=inputs.get("description", ""),
            ScheduleExpression=inputs["scheduleExpression"],
            ScheduleExpressionTimezone=inputs.get("scheduleExpressionTimezone", "UTC"),
            FlexibleTimeWindow=to_aws_shape(inputs["flexibleTimeWindow"]),
            Target=to_aws_shape(inputs["target"]),
            State=inputs.get("state", "ENABLED"),
        )
        target_arn, payload = inputs["target"]["arn"], inputs["target"].get("input")
        self.functions[:] = [
            replace(f, scheduled_input=payload) if f.configuration["FunctionArn"] == target_arn else f
            for f in self.functions
        ]
        return schedule, {"name": schedule, "arn": created["ScheduleArn"]}

    def _alarm(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        alarm = self._autoname(name, inputs)
        self.server.client("cloudwatch", region).put_metric_alarm(
            AlarmName=alarm,
            AlarmDescription=inputs.get("alarmDescription", ""),
            Namespace=inputs["namespace"],
            MetricName=inputs["metricName"],
            Dimensions=[{"Name": k, "Value": str(v)} for k, v in inputs.get("dimensions", {}).items()],
            Statistic=inputs["statistic"],
            Period=num(inputs["period"]),
            EvaluationPeriods=num(inputs["evaluationPeriods"]),
            Threshold=float(inputs["threshold"]),
            ComparisonOperator=inputs["comparisonOperator"],
            TreatMissingData=inputs.get("treatMissingData", "missing"),
            DatapointsToAlarm=num(inputs.get("datapointsToAlarm") or inputs["evaluationPeriods"]),
            AlarmActions=inputs.get("alarmActions") or [],
            OKActions=inputs.get("okActions") or [],
        )
        return alarm, {"name": alarm, "arn": f"arn:aws:cloudwatch:{region}:{self._account()}:alarm:{alarm}"}

    def _dashboard(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        board = str(inputs["dashboardName"])
        cloudwatch = self.server.client("cloudwatch", region)
        answer = cloudwatch.put_dashboard(DashboardName=board, DashboardBody=inputs["dashboardBody"])
        if answer.get("DashboardValidationMessages"):
            raise self.refusal(f"cannot apply dashboard {board}: {answer['DashboardValidationMessages']}")
        arn = cloudwatch.get_dashboard(DashboardName=board)["DashboardArn"]
        return board, {"dashboardArn": arn}
