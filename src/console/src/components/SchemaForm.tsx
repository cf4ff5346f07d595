/**
 * A form generated from a contract's JSON Schema: one control per property (text, number, choice,
 * yes/no, list, nested group), labelled with the schema's titles and descriptions, showing the
 * validator's findings at their JSON pointer. Shapes it cannot render get a JSON text field.
 */
import { Checkbox, Fieldset, JsonInput, Select, Stack, TagsInput, TextInput } from '@mantine/core';
import { deref, humanize, type JsonSchema } from '../schema.ts';
import { ReferenceInput, referencedDomain } from './ReferenceInput.tsx';

type Data = Record<string, unknown>;

interface FieldProps {
  root: JsonSchema;
  node: JsonSchema;
  /** The property as written, before its $ref is followed: its own title names the field. */
  title?: string;
  /** Its `$ref` as written: a reference to another contract's business key gets suggestions. */
  schemaRef?: unknown;
  name: string;
  pointer: string;
  required: boolean;
  value: unknown;
  errors: Record<string, string>;
  onChange(value: unknown): void;
}

const typesOf = (node: JsonSchema) => (Array.isArray(node.type) ? node.type : node.type ? [node.type] : []);

function Field({
  root,
  node,
  title,
  schemaRef,
  name,
  pointer,
  required,
  value,
  errors,
  onChange,
}: FieldProps) {
  const label = title ?? humanize(name);
  const common = {
    label,
    description: node.description,
    error: errors[pointer],
    required,
    'data-pointer': pointer,
  };
  const types = typesOf(node);
  const referenced = referencedDomain(schemaRef);
  if (referenced) {
    return (
      <ReferenceInput
        {...common}
        domain={referenced}
        value={typeof value === 'string' ? value : ''}
        onChange={onChange}
      />
    );
  }
  if (node.enum) {
    return (
      <Select
        {...common}
        data={node.enum.filter((v) => v !== null).map((v) => ({ value: String(v), label: String(v) }))}
        value={value === undefined || value === null ? null : String(value)}
        onChange={(v) => onChange(v ?? undefined)}
        clearable={!required}
      />
    );
  }
  if (types.includes('boolean')) {
    return (
      <Checkbox
        label={label}
        description={node.description}
        error={errors[pointer]}
        checked={value === true}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
    );
  }
  if (types.includes('integer') || types.includes('number')) {
    return (
      <TextInput
        {...common}
        inputMode="decimal"
        value={value === undefined || value === null ? '' : String(value)}
        onChange={(e) => {
          const text = e.currentTarget.value.trim();
          onChange(text === '' ? undefined : Number.isNaN(Number(text)) ? text : Number(text));
        }}
      />
    );
  }
  if (types.includes('array') && node.items && typesOf(deref(root, node.items) ?? {}).includes('string')) {
    return (
      <TagsInput
        {...common}
        value={Array.isArray(value) ? value.map(String) : []}
        onChange={(v) => onChange(v.length > 0 ? v : undefined)}
      />
    );
  }
  if (types.includes('object') && node.properties) {
    return (
      <Fieldset legend={label} data-pointer={pointer}>
        <ObjectFields
          root={root}
          node={node}
          pointer={pointer}
          value={(value as Data | undefined) ?? {}}
          errors={errors}
          onChange={(v) => onChange(Object.keys(v).length > 0 ? v : undefined)}
        />
      </Fieldset>
    );
  }
  if (types.includes('string') || (types.length === 0 && !node.properties)) {
    return (
      <TextInput
        {...common}
        value={
          typeof value === 'string'
            ? value
            : value === undefined || value === null
              ? ''
              : JSON.stringify(value)
        }
        onChange={(e) => onChange(e.currentTarget.value === '' ? undefined : e.currentTarget.value)}
      />
    );
  }
  return (
    <JsonInput
      {...common}
      formatOnBlur
      autosize
      defaultValue={value === undefined ? '' : JSON.stringify(value, null, 2)}
      onBlur={(e) => {
        try {
          onChange(e.currentTarget.value.trim() ? JSON.parse(e.currentTarget.value) : undefined);
        } catch {
          /* the validator reports the field until the JSON is valid */
        }
      }}
    />
  );
}

function ObjectFields({
  root,
  node,
  pointer,
  value,
  errors,
  onChange,
}: {
  root: JsonSchema;
  node: JsonSchema;
  pointer: string;
  value: Data;
  errors: Record<string, string>;
  onChange(value: Data): void;
}) {
  const required = new Set(node.required ?? []);
  return (
    <Stack gap="sm">
      {Object.entries(node.properties ?? {}).map(([name, raw]) => {
        const child = deref(root, raw) ?? {};
        return (
          <Field
            key={name}
            root={root}
            node={child}
            title={raw.title}
            schemaRef={raw.$ref}
            name={name}
            pointer={`${pointer}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`}
            required={required.has(name)}
            value={value[name]}
            errors={errors}
            onChange={(v) => {
              const next = { ...value };
              if (v === undefined) delete next[name];
              else next[name] = v;
              onChange(next);
            }}
          />
        );
      })}
    </Stack>
  );
}

export function SchemaForm({
  schema,
  value,
  errors,
  onChange,
}: {
  schema: JsonSchema;
  value: Data;
  errors: Record<string, string>;
  onChange(value: Data): void;
}) {
  const root = deref(schema, schema) ?? schema;
  return (
    <ObjectFields root={schema} node={root} pointer="" value={value} errors={errors} onChange={onChange} />
  );
}
