# ruff: noqa: E501  (catalogue lines are sentences; wrapping them hurts translation)
"""Korean names and descriptions of the slash commands (discord.py's translator).

Discord shows each person the names and descriptions for their client's language and sends
the English names in interactions, so only what people read is translated. A command,
option or choice added in English without an entry here stays English for Korean clients
(a test lists what is missing). Names follow Discord's rule: lowercase letters, digits,
``-`` and ``_``, at most 32.
"""

from __future__ import annotations

from discord import Locale
from discord.app_commands import (
    TranslationContextLocation,
    TranslationContextTypes,
    Translator,
    locale_str,
)

KO_NAMES: dict[str, str] = {
    # commands and groups
    "assistant": "어시스턴트",
    "ask": "질문",
    "help": "도움말",
    "reset": "새대화",
    "retry": "다시시도",
    "status": "상태",
    "stop": "멈춤",
    "usage": "사용량",
    "quota": "한도",
    "assistant-admin": "어시스턴트-관리",
    "config": "설정",
    "show": "보기",
    "instructions": "지시문",
    "model": "모델",
    "tools": "도구",
    "mode": "답변방식",
    "language": "언어",
    "channel": "채널",
    "history": "내역",
    "rollback": "되돌리기",
    "knowledge": "지식",
    "add": "추가",
    "list": "목록",
    "remove": "삭제",
    "messages": "메시지",
    "tokens": "토큰",
    "off": "끄기",
    "role": "역할",
    "all": "전체",
    "forget": "삭제요청",
    "export": "내보내기",
    "retention": "보관기간",
    "confirm": "확인",
    "days": "일수",
    "tutor": "튜터",
    "preset": "방식",
    "windows": "시간",
    # options
    "question": "질문",
    "text": "내용",
    "name": "이름",
    "state": "상태",
    "tool": "도구",
    "setting": "설정",
    "value": "값",
    "change": "번호",
    "document": "문서",
    "document2": "문서2",
    "document3": "문서3",
    "document4": "문서4",
    "document5": "문서5",
    "where": "범위",
    "limit": "한도",
    "kind": "종류",
}

KO_TEXTS: dict[str, str] = {
    # descriptions
    "Talk to the AI assistant": "AI 어시스턴트와 대화하기",
    "Ask the assistant; the answer appears here": "어시스턴트에게 묻기: 답변이 여기에 나타납니다",
    "Your question": "질문 내용",
    "What the assistant can do, and its commands": "어시스턴트가 할 수 있는 일과 명령어",
    "Start a new conversation (the assistant forgets the previous one)": "새 대화 시작 (이전 대화는 잊습니다)",
    "Ask your last failed question again": "실패한 마지막 질문 다시 묻기",
    "Is an answer of yours in progress, and what is queued": "진행 중인 답변과 대기 중인 메시지",
    "Stop your answer in progress": "진행 중인 답변 멈추기",
    "Your usage today": "오늘 사용량",
    "Your daily limits and what is left today": "하루 한도와 오늘 남은 양",
    "Set up the assistant in this server (admins)": "이 서버의 어시스턴트 설정 (관리자)",
    "The assistant's instructions, model, tools and language": "어시스턴트의 지시문, 모델, 도구, 언어",
    "The assistant here, and where each setting comes from": "이곳의 어시스턴트 설정과 각 값의 출처",
    "Set the server's instructions (without text a form opens, pre-filled)": "서버의 지시문 설정 (내용 없이 쓰면 입력 창이 열립니다)",
    "The new instructions; leave out to edit them in a form": "새 지시문 (비워 두면 입력 창에서 편집)",
    "Set the server's model": "서버의 모델 설정",
    "A model name, e.g. gpt-5-mini": "모델 이름, 예: gpt-5-mini",
    "Turn a tool on or off for the server": "서버의 도구 켜기/끄기",
    "on or off": "켜기 또는 끄기",
    "code_interpreter, file_search, functions, or a function's name": "code_interpreter, file_search, functions 또는 함수 이름",
    "How answers are run and shown in this server": "이 서버에서 답변을 실행하고 보여 주는 방식",
    "stream, poll or background; default follows the bot's setting": "stream, poll, background; default는 봇 기본값",
    "The bot's own language in this server": "이 서버에서 봇이 쓰는 언어",
    "Override a setting for this channel only, or follow the server again": "이 채널에만 적용할 설정, 또는 다시 서버 설정 따르기",
    "What to override here": "이 채널에서 바꿀 설정",
    "The model, tool or answer mode, or the instructions (without them a form opens)": "모델, 도구, 답변 방식 또는 지시문 (지시문 없이 쓰면 입력 창이 열립니다)",
    "Recent changes, numbered, with who and when": "최근 변경 내역 (번호, 누가, 언제)",
    "Undo a change (its number is in the history)": "변경 되돌리기 (번호는 내역에 있습니다)",
    "The change's number": "변경 번호",
    "Documents it searches, data files it analyses": "검색할 문서와 분석할 데이터 파일",
    "Add documents or data files for everyone here": "이곳의 모두를 위한 문서나 데이터 파일 추가",
    "A document (PDF, DOCX, PPTX, MD, TXT, HTML) or a data file (CSV, TSV, XLSX, JSON)": "문서 (PDF, DOCX, PPTX, MD, TXT, HTML) 또는 데이터 파일 (CSV, TSV, XLSX, JSON)",
    "Whose knowledge base (default: this channel's)": "어느 지식 베이스 (기본: 이 채널)",
    "The documents and data files added": "추가된 문서와 데이터 파일",
    "Remove a document or data file": "문서나 데이터 파일 삭제",
    "The document's name, as the list shows it": "목록에 보이는 문서 이름",
    "Daily limits per person": "사람당 하루 한도",
    "Messages per person per day (0: no limit)": "사람당 하루 메시지 수 (0: 제한 없음)",
    "Messages a day": "하루 메시지 수",
    "Where (default: the whole server)": "범위 (기본: 서버 전체)",
    "Tokens per person per day (0: no limit)": "사람당 하루 토큰 수 (0: 제한 없음)",
    "Tokens a day": "하루 토큰 수",
    "No daily limits": "하루 한도 없음",
    "Daily limits for people with a role (instead of the server's and channels')": "역할별 하루 한도 (서버와 채널 한도 대신 적용)",
    "The role, e.g. Students or Teachers": "역할, 예: 학생 또는 교사",
    "What to limit, or off: the role follows the server's limits again": "제한할 항목, 또는 끄기: 다시 서버 한도를 따름",
    "Messages or tokens per person per day (0: no limit for this role)": "사람당 하루 메시지 또는 토큰 수 (0: 이 역할은 제한 없음)",
    "The limits set in this server: server, channel, roles": "이 서버에 설정된 한도: 서버, 채널, 역할",
    "Usage and estimated cost": "사용량과 예상 비용",
    "Usage per person over 30 days, and totals": "최근 30일 사람별 사용량과 합계",
    "Your history with the assistant, as a file only you see": "어시스턴트와의 대화 기록 (나만 보는 파일)",
    "Delete everything the assistant keeps about you (asks first)": "어시스턴트가 가진 내 정보 모두 삭제 (먼저 확인)",
    "True deletes now; without it you are told what is deleted": "True면 바로 삭제, 없으면 무엇이 삭제되는지 안내",
    "Delete conversations idle for this many days (0: keep)": "이 일수 동안 쓰지 않은 대화 삭제 (0: 보관)",
    "Days without use after which a conversation is deleted; 0 = off": "쓰지 않은 지 며칠 뒤 대화를 삭제할지 (0 = 끄기)",
    "A tutor policy: hints only, Socratic, or exam (no help)": "튜터 정책: 힌트만, 소크라테스식, 시험 (도움 없음)",
    "How the assistant tutors; off turns an inherited policy off here": "튜터 방식 (off: 물려받은 정책을 이곳에서 끄기)",
    "Only at these times, daily, e.g. 09:00-11:00 Asia/Seoul (default: always)": "매일 이 시간에만, 예: 09:00-11:00 Asia/Seoul (기본: 항상)",
    "Where (default: this channel)": "범위 (기본: 이 채널)",
    "hints: hints and next steps, no full solutions": "hints: 힌트와 다음 단계만, 전체 풀이 없음",
    "socratic: guiding questions": "socratic: 질문으로 이끌기",
    "exam: no solutions or hints at all": "exam: 풀이도 힌트도 없음",
    "default: follow the server's policy": "default: 서버 정책 따르기",
    # choices
    "on": "켜기",
    "off": "끄기",
    "stream: the answer appears as it is written": "stream: 쓰는 대로 답변이 보임",
    "poll: the answer appears when complete (long jobs)": "poll: 다 끝나면 답변이 보임 (긴 작업)",
    "background: streamed, resumed after a restart": "background: 스트리밍, 재시작 후에도 이어짐",
    "default: the bot's setting": "default: 봇 기본값",
    "English": "English",
    "한국어": "한국어",
    "each person's Discord language": "각자의 Discord 언어",
    "instructions": "지시문",
    "model": "모델",
    "tools: turn one on": "도구: 하나 켜기",
    "tools: turn one off": "도구: 하나 끄기",
    "answer mode: stream, poll, background or default": "답변 방식: stream, poll, background, default",
    "clear: follow the server's settings again": "초기화: 다시 서버 설정 따르기",
    "this channel": "이 채널",
    "the whole server": "서버 전체",
    "messages a day": "하루 메시지 수",
    "tokens a day": "하루 토큰 수",
}

_NAMES = {
    TranslationContextLocation.command_name,
    TranslationContextLocation.group_name,
    TranslationContextLocation.parameter_name,
}


class KoreanTranslator(Translator):
    async def translate(
        self, string: locale_str, locale: Locale, context: TranslationContextTypes
    ) -> str | None:
        if locale is not Locale.korean:
            return None
        table = KO_NAMES if context.location in _NAMES else KO_TEXTS
        return table.get(string.message)
