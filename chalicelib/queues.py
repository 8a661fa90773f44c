"""Dead-letter queue operations mission IT runs after fixing what made messages fail."""

from __future__ import annotations

from chalicelib import aws


def dead_letter_queue(queue_name: str) -> str:
    """The DLQ of a queue, as infra/resources.yaml names it."""
    return f"{queue_name}-dlq"


def redrive(queue_name: str, *, limit: int = 10_000) -> int:
    """Move up to `limit` messages from the queue's DLQ back to it (body and attributes kept)."""
    sqs = aws.client("sqs")
    dlq_url = aws.queue_url(dead_letter_queue(queue_name))
    source_url = aws.queue_url(queue_name)
    moved = 0
    while moved < limit:
        messages = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=min(10, limit - moved),
            MessageAttributeNames=["All"],
            VisibilityTimeout=60,
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            sqs.send_message(
                QueueUrl=source_url,
                MessageBody=message["Body"],
                MessageAttributes=message.get("MessageAttributes", {}),
            )
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
    return moved
