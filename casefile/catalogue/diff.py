"""What changed between two catalogue versions (清单动态调整).

The coordination section adjusts the catalogue as powers are transferred
and limits are shortened.  Before a new version goes live, someone must
see -- and a version's record should keep -- exactly what changed: items
added or removed, a limit cut from 20 to 15 days, a material dropped.
``diff(old, new)`` compares the stored form (``to_dict``) entry by entry,
so it sees exactly what a case would see, and ``summary`` says it in
Chinese for the people who approve the change.
"""
import json
from dataclasses import dataclass

#: collection -> (key of an entry, how the summary names such an entry)
COLLECTIONS = {
    'sections': ('code', '科室'),
    'materials': ('code', '材料'),
    'fields': ('key', '字段'),
    'items': ('code', '事项'),
    'matters': ('code', '一件事情'),
    'projects': ('code', '一个项目'),
}

#: attribute paths as the summary names them
LABELS = {
    'name': '名称', 'kind': '类型', 'legal_basis': '设定依据',
    'section': '承办科室', 'limits.statutory': '法定时限',
    'limits.promised': '承诺时限', 'fee.free': '是否收费', 'fee.amount': '收费标准',
    'fee.unit': '收费单位', 'fee.basis': '收费依据', 'conditions': '受理条件',
    'materials': '申请材料', 'fields': '表单字段',
    'inspection.required': '现场勘验', 'inspection.points': '勘验要点',
    'expert_review.required': '专家评审', 'expert_review.speciality': '评审专业',
    'review_points': '形式审查要点', 'prerequisites': '前置事项',
    'retention': '保管期限', 'certificate': '审批结果', 'keywords': '关键词',
    'items': '包含事项', 'lead_section': '牵头科室', 'description': '说明',
    'themes': '主题', 'phone': '电话', 'location': '地点', 'form': '材料形式',
    'count': '份数', 'allowed_types': '文件类型', 'max_size_mb': '大小上限',
    'reusable': '可复用', 'issued_by': '出具事项', 'label': '标签',
    'type': '字段类型', 'required': '必填', 'help': '说明', 'max_length': '长度上限',
    'options': '选项', 'stages': '阶段',
}


@dataclass(frozen=True)
class AttributeChange:
    attribute: str       # e.g. 'limits.statutory', 'stages[P-IND-2].items'
    old: object
    new: object


@dataclass(frozen=True)
class EntryChange:
    code: str
    name: str
    changes: tuple       # of AttributeChange

    def attributes(self):
        return tuple(change.attribute for change in self.changes)


@dataclass(frozen=True)
class CollectionDiff:
    added: tuple         # codes
    removed: tuple       # codes
    changed: tuple       # of EntryChange

    def __bool__(self):
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True)
class CatalogueDiff:
    sections: CollectionDiff
    materials: CollectionDiff
    fields: CollectionDiff
    items: CollectionDiff
    matters: CollectionDiff
    projects: CollectionDiff
    summary: tuple       # of str, in Chinese

    @property
    def is_empty(self):
        return not any(getattr(self, name) for name in COLLECTIONS)


def diff(old, new):
    """Compare two ``Catalogue`` versions."""
    before, after = old.to_dict(), new.to_dict()
    parts, summary = {}, []
    for collection, (key, noun) in COLLECTIONS.items():
        old_entries = {e[key]: e for e in before[collection]}
        new_entries = {e[key]: e for e in after[collection]}
        added = tuple(c for c in new_entries if c not in old_entries)
        removed = tuple(c for c in old_entries if c not in new_entries)
        changed = []
        for code, entry in new_entries.items():
            if code in old_entries and old_entries[code] != entry:
                changed.append(EntryChange(code, entry.get('label') or entry['name'],
                                           _changes(old_entries[code], entry)))
        parts[collection] = CollectionDiff(added, removed, tuple(changed))
        summary += [f'新增{noun} {c} {_name(new_entries[c])}' for c in added]
        summary += [f'删除{noun} {c} {_name(old_entries[c])}' for c in removed]
        summary += [f'{noun} {change.code} {change.name}：' +
                    '；'.join(_describe(a) for a in change.changes)
                    for change in changed]
    if before['title'] != after['title'] or before['effective'] != after['effective']:
        summary.insert(0, f'清单 {before["title"]}（{before["effective"]}）→ '
                          f'{after["title"]}（{after["effective"]}）')
    return CatalogueDiff(summary=tuple(summary), **parts)


def _name(entry):
    return entry.get('name') or entry.get('label') or ''


def _flatten(value, prefix=''):
    """Nested mappings become dotted paths; a project's stages go by code."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(inner, f'{prefix}.{key}' if prefix else key)
    elif prefix == 'stages' and isinstance(value, list):
        for stage in value:
            rest = {k: v for k, v in stage.items() if k != 'code'}
            yield from _flatten(rest, f'stages[{stage["code"]}]')
    else:
        yield prefix, value


def _changes(old, new):
    before, after = dict(_flatten(old)), dict(_flatten(new))
    paths = list(before) + [p for p in after if p not in before]
    return tuple(AttributeChange(p, before.get(p), after.get(p))
                 for p in paths if before.get(p) != after.get(p))


def _label(path):
    if path.startswith('stages['):
        stage, _, rest = path.partition('].')
        return f'阶段 {stage[7:]} {LABELS.get(rest, rest)}'
    return LABELS.get(path, path)


def _show(value):
    if value is None:
        return '无'
    if isinstance(value, bool):
        return '是' if value else '否'
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _element_key(element):
    if isinstance(element, dict):
        return element.get('code') or element.get('key') or json.dumps(
            element, ensure_ascii=False, sort_keys=True)
    return element


def _describe(change):
    label = _label(change.attribute)
    old, new = change.old, change.new
    if isinstance(old, list) and isinstance(new, list):
        old_keys = [_element_key(e) for e in old]
        new_keys = [_element_key(e) for e in new]
        added = [k for k in new_keys if k not in old_keys]
        removed = [k for k in old_keys if k not in new_keys]
        parts = ([f'新增 {"、".join(map(str, added))}'] if added else []) + \
                ([f'删除 {"、".join(map(str, removed))}'] if removed else [])
        return f'{label} ' + ('，'.join(parts) if parts else '调整')
    return f'{label} {_show(old)}→{_show(new)}'
