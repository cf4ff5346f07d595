/**
 * Confluent's own JavaScript client (@confluentinc/schemaregistry) against a registry URL, run in a
 * plain Node process as an application would run it (the test runner resolves packages with the
 * `module` condition, under which the AWS SDK the client depends on does not load). Prints what it
 * saw as one JSON line: `node confluent-client-scenario.ts <registry URL> <token> <topic>`.
 */
import { createRequire } from 'node:module';

const { JsonDeserializer, JsonSerializer, SchemaRegistryClient, SerdeType } = createRequire(import.meta.url)(
  '@confluentinc/schemaregistry',
) as typeof import('@confluentinc/schemaregistry');

const [url, token, topic] = process.argv.slice(2);
const subject = `${topic}-value`;
const workOrder = JSON.parse(process.env.SCENARIO_SCHEMA ?? '{}');
const withDue = JSON.parse(process.env.SCENARIO_COMPATIBLE ?? '{}');
const breaking = JSON.parse(process.env.SCENARIO_BREAKING ?? '{}');

const client = new SchemaRegistryClient({
  baseURLs: [url],
  basicAuthCredentials: { credentialsSource: 'USER_INFO', userInfo: `canon:${token}` },
  maxRetries: 0,
});
const status = (e: unknown) => (e as { status?: number }).status ?? String(e);

const id = await client.register(subject, { schemaType: 'JSON', schema: JSON.stringify(workOrder) });
const again = await client.register(subject, { schemaType: 'JSON', schema: JSON.stringify(workOrder) });
const byId = await client.getBySubjectAndId(subject, id);
const subjects = await client.getAllSubjects();
const versions = await client.getAllVersions(subject);
const latest = await client.getLatestSchemaMetadata(subject);
const compatibleOk = await client.testSubjectCompatibility(subject, {
  schemaType: 'JSON',
  schema: JSON.stringify(withDue),
});
const breakingOk = await client.testCompatibility(subject, 1, {
  schemaType: 'JSON',
  schema: JSON.stringify(breaking),
});
const compatibility = await client.getCompatibility(subject);

const serializer = new JsonSerializer(client, SerdeType.VALUE, { useLatestVersion: true, validate: true });
const deserializer = new JsonDeserializer(client, SerdeType.VALUE, { validate: true });
const message = { number: 'WO-77', item: 'RM-2', quantity: 3 };
const bytes = await serializer.serialize(topic, message);
const decoded = await deserializer.deserialize(topic, bytes);
const invalid = await serializer.serialize(topic, { ...message, number: 'X' }).then(
  () => 'accepted',
  () => 'rejected',
);

const softDeleted = await client.deleteSubjectVersion(subject, 1);
const afterSoft = await client.getAllVersions(subject).then((v) => v, status);
const hardDeleted = await client.deleteSubjectVersion(subject, 1, true);

console.log(
  JSON.stringify({
    id,
    again,
    byId: { schemaType: byId.schemaType, properties: JSON.parse(byId.schema ?? '{}').properties },
    subjects,
    versions,
    latestId: latest.id,
    compatibleOk,
    breakingOk,
    compatibility,
    wire: { magic: bytes[0], id: bytes.readInt32BE(1) },
    decoded,
    invalid,
    softDeleted,
    afterSoft,
    hardDeleted,
  }),
);
