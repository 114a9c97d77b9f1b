import { UnresolvableIntrinsicError } from './errors.ts';

/** A resource of a synthesized template, as far as resolving references to it needs. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface LocalEnvironment {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** Physical ARNs the local cloud gives resources that have no name in the template (the Scheduler's role). */
  readonly arnOverrides?: Readonly<Record<string, string>>;
}

/**
 * Resolves CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split)
 * in a template value to the strings the resources have in the local cloud: the pseudo
 * parameters become its partition, Region and account, a table's Arn is
 * `arn:aws:dynamodb:<region>:<account>:table/<TableName>`, and so on. Resources the local cloud
 * does not have (log groups, topics) resolve to ARNs of the same shape that no local call names.
 */
export class IntrinsicResolver {
  constructor(
    private readonly resources: Readonly<Record<string, TemplateResource>>,
    private readonly env: LocalEnvironment,
  ) {}

  /** A policy value: a string, or a list of strings (Fn::Split). */
  resolve(value: unknown): string | string[] {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map((v) => this.resolveString(v));
    if (typeof value !== 'object' || value === null) throw new UnresolvableIntrinsicError(JSON.stringify(value));
    const entries = Object.entries(value as Record<string, unknown>);
    const [name, argument] = entries[0] ?? [];
    if (entries.length !== 1 || name === undefined) throw new UnresolvableIntrinsicError(JSON.stringify(value));
    switch (name) {
      case 'Ref':
        return this.ref(String(argument));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument) ? argument.map(String) : String(argument).split(/\.(.*)/s);
        return this.attribute(logicalId ?? '', attribute ?? '');
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return this.resolveList(parts).join(separator);
      }
      case 'Fn::Sub':
        return this.sub(argument);
      case 'Fn::Select': {
        const [index, list] = argument as [unknown, unknown];
        const items = this.resolveList(list);
        const item = items[typeof index === 'number' ? index : Number(this.resolveString(index))];
        if (item === undefined) throw new UnresolvableIntrinsicError(JSON.stringify(value));
        return item;
      }
      case 'Fn::Split': {
        const [delimiter, source] = argument as [string, unknown];
        return this.resolveString(source).split(delimiter);
      }
      default:
        throw new UnresolvableIntrinsicError(JSON.stringify(value));
    }
  }

  resolveString(value: unknown): string {
    const resolved = this.resolve(value);
    if (Array.isArray(resolved)) throw new UnresolvableIntrinsicError(`a list where a string is expected: ${JSON.stringify(value)}`);
    return resolved;
  }

  private resolveList(value: unknown): string[] {
    if (Array.isArray(value)) return value.map((v) => this.resolveString(v));
    const resolved = this.resolve(value);
    return Array.isArray(resolved) ? resolved : [resolved];
  }

  private sub(argument: unknown): string {
    const [template, variables] = Array.isArray(argument) ? (argument as [string, Record<string, unknown>]) : [String(argument), {}];
    return template.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
      if (name in variables) return this.resolveString(variables[name]);
      const dot = name.indexOf('.');
      return dot > 0 && !name.startsWith('AWS::') ? this.attribute(name.slice(0, dot), name.slice(dot + 1)) : this.ref(name);
    });
  }

  private ref(name: string): string {
    switch (name) {
      case 'AWS::Partition':
        return this.env.partition;
      case 'AWS::Region':
        return this.env.region;
      case 'AWS::AccountId':
        return this.env.accountId;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return 'local';
      case 'AWS::NoValue':
        throw new UnresolvableIntrinsicError('Ref AWS::NoValue');
    }
    const resource = this.resources[name];
    if (resource === undefined) throw new UnresolvableIntrinsicError(`Ref ${name}`);
    const physical = this.physicalName(name, resource);
    switch (resource.Type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${this.env.region}.amazonaws.com/${this.env.accountId}/${physical}`;
      case 'AWS::SNS::Topic':
      case 'AWS::KMS::Key':
        return this.attribute(name, 'Arn');
      default:
        return physical;
    }
  }

  private attribute(logicalId: string, attribute: string): string {
    const resource = this.resources[logicalId];
    if (resource === undefined) throw new UnresolvableIntrinsicError(`Fn::GetAtt ${logicalId}.${attribute}`);
    const override = this.env.arnOverrides?.[logicalId];
    if (attribute === 'Arn' && override !== undefined) return override;
    const { partition, region, accountId } = this.env;
    const name = this.physicalName(logicalId, resource);
    const arn = (service: string, resourcePart: string, inRegion = true): string =>
      `arn:${partition}:${service}:${inRegion ? region : ''}:${accountId}:${resourcePart}`;
    if (attribute === 'Arn') {
      switch (resource.Type) {
        case 'AWS::DynamoDB::Table':
          return arn('dynamodb', `table/${name}`);
        case 'AWS::SQS::Queue':
          return arn('sqs', name);
        case 'AWS::Scheduler::ScheduleGroup':
          return arn('scheduler', `schedule-group/${name}`);
        case 'AWS::IAM::Role':
          return arn('iam', `role/${name}`, false);
        case 'AWS::Logs::LogGroup':
          return arn('logs', `log-group:${name}:*`);
        case 'AWS::Lambda::Function':
          return arn('lambda', `function:${name}`);
        case 'AWS::SNS::Topic':
          return arn('sns', name);
        case 'AWS::KMS::Key':
          return arn('kms', `key/${logicalId}`);
        default:
          return arn(resource.Type.split('::')[1]?.toLowerCase() ?? 'unknown', logicalId);
      }
    }
    if (attribute === 'QueueName' && resource.Type === 'AWS::SQS::Queue') return name;
    if (attribute === 'QueueUrl' && resource.Type === 'AWS::SQS::Queue') return this.ref(logicalId);
    throw new UnresolvableIntrinsicError(`Fn::GetAtt ${logicalId}.${attribute}`);
  }

  /** The name the resource has: its name property, else the logical id (CloudFormation would generate one). */
  private physicalName(logicalId: string, resource: TemplateResource): string {
    const property = NAME_PROPERTIES[resource.Type];
    const value = property === undefined ? undefined : resource.Properties?.[property];
    return value === undefined ? logicalId : this.resolveString(value);
  }
}

const NAME_PROPERTIES: Record<string, string> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Scheduler::ScheduleGroup': 'Name',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::SNS::Topic': 'TopicName',
};
