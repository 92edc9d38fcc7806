#!/usr/bin/env node
// Validates CloudFormation/SAM templates offline with @aws/cloudformation-validate (the WASM build of the
// cfn-lint rules and resource schemas) plus this project's Rego rules in rules/*.rego, which check the
// AWS::Serverless::* resources the bundled rules do not look into.
//
//   node validate.mjs [--json] [--verbose] <template> [<template> ...]
//
// Prints one line per finding. Exit status: 0 when no template has a FATAL, ERROR or WARN finding;
// 1 when any has; 2 when validation itself could not run or was incomplete. INFO findings never fail
// the run: they are counted per rule, and listed with --verbose. --json prints one JSON object per
// template ({file, status, findings}) instead, for the Maven tests that drive this script.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RegoEngine, RuleFile, TemplateFile, version } from '@aws/cloudformation-validate';

const FAILING = new Set(['FATAL', 'ERROR', 'WARN']);
const here = dirname(fileURLToPath(import.meta.url));

function usage(message) {
    if (message) console.error(`validate.mjs: ${message}`);
    console.error('usage: node validate.mjs [--json] [--verbose] <template> [<template> ...]');
    process.exit(2);
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const verbose = args.includes('--verbose');
const unknown = args.filter((a) => a.startsWith('--') && a !== '--json' && a !== '--verbose');
if (unknown.length > 0) usage(`unknown option ${unknown[0]}`);
const templates = args.filter((a) => !a.startsWith('--'));
if (templates.length === 0) usage('no template given');

const rulesDir = join(here, 'rules');
const customRules = readdirSync(rulesDir)
    .filter((f) => f.endsWith('.rego'))
    .sort()
    .map((f) => new RuleFile(join(rulesDir, f)));

function where(d) {
    const entity = d.entity ? ` [${d.entity.entityType} ${d.entity.logicalId}]` : '';
    const path = d.propertyPath ? ` ${d.propertyPath}` : '';
    return `${entity}${path}`;
}

let engine;
try {
    engine = new RegoEngine({ customRules });
} catch (e) {
    console.error(`validate.mjs: could not start the validator (${e?.message ?? e})`);
    process.exit(2);
}

let worst = 0;
try {
    for (const file of templates) {
        let report;
        try {
            report = engine.validateStandard(new TemplateFile(file));
        } catch (e) {
            const message = `could not validate ${file}: ${e?.message ?? e}`;
            if (json) console.log(JSON.stringify({ file, status: 'ERROR', error: message, findings: [] }));
            else console.error(`validate.mjs: ${message}`);
            worst = 2;
            continue;
        }
        const findings = report.diagnostics.map((d) => ({
            ruleId: d.ruleId,
            severity: d.severity,
            source: d.source,
            logicalId: d.entity?.logicalId ?? null,
            propertyPath: d.propertyPath ?? null,
            line: d.startLine ?? null,
            column: d.startColumn ?? null,
            message: d.message,
        }));
        const failing = report.diagnostics.filter((d) => FAILING.has(d.severity));
        const incomplete = report.status !== 'OK';
        if (json) {
            console.log(JSON.stringify({ file, status: report.status, findings }));
        } else {
            const name = file;
            for (const d of report.diagnostics) {
                if (!FAILING.has(d.severity) && !verbose) continue;
                console.log(`${name}:${d.startLine ?? 0}:${d.startColumn ?? 0}: ${d.severity} ${d.ruleId}${where(d)}: ${d.message}`);
            }
            const infos = {};
            for (const d of report.diagnostics) {
                if (!FAILING.has(d.severity)) infos[d.ruleId] = (infos[d.ruleId] ?? 0) + 1;
            }
            const infoText = Object.keys(infos).length === 0 ? 'none'
                : Object.entries(infos).map(([id, n]) => `${id} x${n}`).join(', ');
            if (incomplete) console.log(`${name}: validation status ${report.status}: findings may be missing`);
            console.log(`${name}: ${failing.length === 0 && !incomplete ? 'OK' : 'FAILED'} - ${failing.length} error/warning finding(s); info: ${infoText} (cloudformation-validate ${version()}, ${customRules.length} custom rule file(s))`);
        }
        if (incomplete) worst = 2;
        else if (failing.length > 0 && worst < 1) worst = 1;
    }
} finally {
    engine.free();
}
process.exit(worst);
