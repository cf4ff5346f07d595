/**
 * Confluent subjects and Canon contracts. A subject names a contract; Kafka clients name subjects
 * after topics (TopicNameStrategy), so the two suffixes they use map onto contracts:
 * `<name>-value` is the contract `<name>` (a message's value is the contract's document) and
 * `<name>-key` is the contract `<name>.key` (the key schema, in the contract's own namespace). Any
 * other subject is the contract of that name. Listings show contract names.
 */
import { isValidContractName } from '../contracts/contract-ids.ts';
import { invalidSubject } from './ccompat-errors.ts';

export function contractOfSubject(subject: string): string {
  if (subject.endsWith('-value')) return subject.slice(0, -'-value'.length);
  if (subject.endsWith('-key')) return `${subject.slice(0, -'-key'.length)}.key`;
  return subject;
}

/** The contract a subject names, or undefined when no contract can have that name. */
export function knownContractOf(subject: string): string | undefined {
  const contract = contractOfSubject(subject);
  return isValidContractName(contract) ? contract : undefined;
}

/** The contract a subject names; a subject no contract can be named after is refused (42208). */
export function requireContractOf(subject: string): string {
  const contract = knownContractOf(subject);
  if (!contract)
    throw invalidSubject(
      subject,
      `it names the contract "${contractOfSubject(subject)}", and contract names are kebab-case words in optional dot-separated namespaces (item, work-center, acme.bom; <name>-value and <name>-key subjects map to <name> and <name>.key)`,
    );
  return contract;
}
