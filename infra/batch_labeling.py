"""S3-triggered batch labeling: objects under the input prefix → SQS (with a DLQ) → Lambda."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from constructs import Construct


class BatchLabeling(Construct):
    """Queues every object created under ``batch_input_prefix`` for the labeling function.

    The queue decouples S3 from Lambda so that a burst of uploads is absorbed and a
    message that keeps failing lands in the dead-letter queue instead of being lost.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket: s3.IBucket,
        batch_input_prefix: str,
        labeling_function: lambda_.IFunction,
        labeling_timeout: Duration,
        notifications_as_bucket_property: bool,
        queue_max_receive_count: int = 3,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letter_queue = sqs.Queue(
            self, "DeadLetters", retention_period=Duration.days(14), enforce_ssl=True
        )
        self.queue = sqs.Queue(
            self,
            "Uploads",
            # AWS asks for at least six times the function timeout so in-flight batches are not re-sent.
            visibility_timeout=Duration.seconds(6 * int(labeling_timeout.to_seconds())),
            dead_letter_queue=sqs.DeadLetterQueue(
                max_receive_count=queue_max_receive_count, queue=self.dead_letter_queue
            ),
            enforce_ssl=True,
        )
        if notifications_as_bucket_property:
            self._notify_through_bucket_property(bucket, batch_input_prefix)
        else:
            bucket.add_event_notification(
                s3.EventType.OBJECT_CREATED,
                s3n.SqsDestination(self.queue),
                s3.NotificationKeyFilter(prefix=batch_input_prefix),
            )
        labeling_function.add_event_source(
            event_sources.SqsEventSource(self.queue, batch_size=10, report_batch_item_failures=True)
        )

    def _notify_through_bucket_property(self, bucket: s3.IBucket, prefix: str) -> None:
        """Write the notification into the bucket's own CloudFormation properties.

        Without the custom resource the queue policy would make a dependency cycle (the bucket
        names the queue, the policy names the bucket), so none is added: LocalStack, the only
        place this is used, does not check it.
        """
        cfn_bucket = bucket.node.default_child
        assert isinstance(cfn_bucket, s3.CfnBucket)
        cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            queue_configurations=[
                s3.CfnBucket.QueueConfigurationProperty(
                    event="s3:ObjectCreated:*",
                    queue=self.queue.queue_arn,
                    filter=s3.CfnBucket.NotificationFilterProperty(
                        s3_key=s3.CfnBucket.S3KeyFilterProperty(
                            rules=[s3.CfnBucket.FilterRuleProperty(name="prefix", value=prefix)]
                        )
                    ),
                )
            ]
        )
