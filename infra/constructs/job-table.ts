import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TABLE } from '../../shared/config/definitions.ts';

export interface JobTableProps {
  /** Physical name; undefined lets CloudFormation generate one. */
  readonly tableName: string | undefined;
  readonly removalPolicy: RemovalPolicy;
}

/** DynamoDB data-plane actions SkyForge functions may be granted (explicit names, never `*`). */
export type JobTableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:Query';

/**
 * The one SkyForge table (single-table design): job items, idempotency keys, schedules and
 * counters, with the listing indexes of shared/config/definitions.ts.
 *
 * - On-demand: job traffic is bursty and a queue that idles most of the day should cost nothing.
 * - PITR on: the table is the truth about every job; a bad deploy or script can be rolled back.
 * - Encrypted with the AWS managed key (aws/dynamodb) rather than a customer managed key: key use
 *   is KMS-backed and visible in CloudTrail, there is no key policy that could lock the functions
 *   out and no $1/month per key, and callers need no kms:* grants (CDK's grants for a customer key
 *   would add wildcard actions such as kms:GenerateDataKey*).
 * - TTL on `expiresAt` removes finished jobs after their retention.
 */
export class JobTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: JobTableProps) {
    super(scope, id);

    this.table = new Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: TABLE.ttlAttribute,
      removalPolicy: props.removalPolicy,
      // A retained table is precious: refuse a console or CLI delete as well.
      deletionProtection: props.removalPolicy !== RemovalPolicy.DESTROY,
    });

    for (const index of Object.values(TABLE.indexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        // Listing reads only these; ALL would double every job write into the index.
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: [...index.nonKeyAttributes],
      });
    }
  }

  get tableName(): string {
    return this.table.tableName;
  }

  /** ARNs of the listing indexes, one by one: grants name them instead of `table/index/*`. */
  get indexArns(): string[] {
    return Object.values(TABLE.indexes).map((index) => `${this.table.tableArn}/index/${index.name}`);
  }

  /** A statement allowing `actions` on the table itself (and on its indexes when asked). */
  statement(actions: readonly JobTableAction[], options: { includeIndexes: boolean; sid: string }): PolicyStatement {
    return new PolicyStatement({
      sid: options.sid,
      actions: [...actions],
      resources: [this.table.tableArn, ...(options.includeIndexes ? this.indexArns : [])],
    });
  }
}
