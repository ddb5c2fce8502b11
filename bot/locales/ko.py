# ruff: noqa: E501  (catalogue lines are sentences; wrapping them hurts translation)
"""한국어: 봇이 직접 하는 말 (모델의 답변 언어는 모델이 정합니다)."""

MESSAGES: dict[str, str] = {
    "help": (
        "저는 AI 어시스턴트입니다. 질문을 보내거나, 읽고 분석할 파일을 첨부하세요.\n"
        "명령어:\n"
        "  {p}help    이 도움말\n"
        "  {p}reset   새 대화 시작 (이전 대화는 잊습니다)\n"
        "  {p}retry   실패한 마지막 질문 다시 묻기\n"
        "  {p}status  진행 중인 답변과 대기 중인 메시지\n"
        "  {p}stop    진행 중인 답변 멈추기\n"
        "  {p}usage   오늘 사용량\n"
        "  {p}quota   하루 한도와 오늘 남은 양\n"
        "  {p}export  저와의 대화 기록을 파일로 받기\n"
        "  {p}forget  저장된 내 정보 모두 삭제 (먼저 확인합니다)"
    ),
    "help.admin": (
        "관리자 명령어:\n"
        "  {p}config show                     이곳의 어시스턴트 설정과 각 값의 출처\n"
        "  {p}config instructions [TEXT]      지시문 설정 (TEXT 없이 쓰면 입력 창이 열립니다)\n"
        "  {p}config model NAME               모델 설정\n"
        "  {p}config tools on|off TOOL        code_interpreter, file_search, web_search, image_generation, 함수 켜기/끄기\n"
        "  {p}config mode stream|poll|background|default   답변을 실행하고 보여 주는 방식\n"
        "  {p}config language en|ko|auto      이 워크스페이스에서 봇이 쓰는 언어\n"
        "  {p}config prompts [제목 | 메시지; …]|clear   추천 질문 (Slack; 텍스트 없이 쓰면 입력 창이 열림)\n"
        "  {p}config retention DAYS|off       DAYS일 동안 쓰지 않은 대화 삭제\n"
        "  {p}config [channel] tutor hints|socratic|exam [HH:MM-HH:MM] | off   튜터 정책\n"
        "  {p}config channel instructions|model|tools|mode ... | clear   이 채널에만 적용\n"
        "  {p}config history                  최근 변경 내역 (번호 포함)\n"
        "  {p}config rollback N               N번 변경 되돌리기\n"
        "  {p}knowledge add|list|remove NAME [workspace]   지식 베이스 문서\n"
        "  {p}quota [channel] messages N|tokens N|off   사람당 하루 한도\n"
        "  {p}quota role ROLE messages N|tokens N|off   역할별 한도\n"
        "  {p}quota show                      이곳에 설정된 한도\n"
        "  {p}usage all                       사람별 사용량, 합계와 예상 비용"
    ),
    "help.admin@discord": (
        "관리자 명령어:\n"
        "  {p}config show                       이곳의 어시스턴트 설정과 각 값의 출처\n"
        "  {p}config instructions [text:]       지시문 설정 (text 없이 쓰면 입력 창이 열립니다)\n"
        "  {p}config model name:                모델 설정\n"
        "  {p}config tools state: tool:         code_interpreter, file_search, web_search, image_generation, 함수 켜기/끄기\n"
        "  {p}config mode mode:                 답변을 실행하고 보여 주는 방식\n"
        "  {p}config tutor preset: [windows:]   튜터 정책: hints, socratic, exam\n"
        "  {p}config retention days:            그 일수 동안 쓰지 않은 대화 삭제\n"
        "  {p}config language                   이 서버에서 봇이 쓰는 언어\n"
        "  {p}config channel setting: value:    이 채널에만 적용 (setting:clear로 되돌리기)\n"
        "  {p}config history                    최근 변경 내역 (번호 포함)\n"
        "  {p}config rollback change:           변경 되돌리기\n"
        "  {p}knowledge add|list|remove [where:server]   문서와 데이터 파일\n"
        "  {p}quota messages|tokens limit: | off [where:channel]   사람당 하루 한도\n"
        "  {p}quota role role: kind: limit:     역할별 한도\n"
        "  {p}quota show                        이곳에 설정된 한도\n"
        "  {p}usage all                         사람별 사용량, 합계와 예상 비용"
    ),
    "reset.done": "새 대화를 시작했습니다. 무엇을 이야기해 볼까요?",
    "retry.started": "마지막 질문을 다시 시도합니다…",
    "retry.none": "다시 시도할 실패한 질문이 없습니다.",
    "unknown_command": "알 수 없는 명령어 {name}입니다. {p}help를 입력해 보세요.",
    "not_admin": "“{command}”은(는) 관리자만 쓸 수 있습니다 (워크스페이스·서버 관리자 또는 봇 설정에 지정된 사람).",
    "not_admin@slack": "“{command}”은(는) 관리자만 쓸 수 있습니다 (워크스페이스 관리자·소유자 또는 봇 설정에 지정된 사람).",
    "not_admin@discord": "“{command}”은(는) 관리자만 쓸 수 있습니다 (서버 관리 권한이나 관리자 역할이 있는 멤버, 또는 봇 설정에 지정된 사람).",
    "not_enabled_here": "이 서버에서는 제가 활성화되어 있지 않습니다.",
    "command.failed": "죄송합니다. “{command}” 명령이 이번에는 실패했습니다: 봇 쪽에서 문제가 생겼습니다. 잠시 후 다시 시도해 주세요.",
    "not_taken": "죄송합니다. 지금은 질문을 받지 못했습니다. 다시 시도해 주세요.",
    "server_only": "관리자 명령어는 서버에서만 쓸 수 있습니다 (그 서버의 어시스턴트를 설정합니다). 개인 메시지에서는 쓸 수 없습니다.",
    "form.too_long": "현재 텍스트는 {length}자로, 이곳의 입력 양식에 담을 수 있는 한도({limit}자)를 넘습니다. 명령어에 새 텍스트를 직접 넣어 주세요.",
    "form.failed": "입력 양식을 열지 못했습니다. 명령어를 다시 입력해 주세요.",
    "status.idle": "진행 중이거나 대기 중인 메시지가 없습니다.",
    "status.busy": "답변을 작성하고 있습니다. 대기 중인 메시지: {queued}개.",
    "status.queued": "대기 중인 메시지: {queued}개.",
    "stop.done": "진행 중인 답변을 멈춥니다.",
    "stop.none": "진행 중인 답변이 없습니다.",
    "usage.mine": "오늘: 메시지 {messages}개, 토큰 {tokens}개{tools}. {resets} 후에 초기화됩니다.",
    "usage.mine.limits": "이곳의 하루 한도: {limits}.",
    "usage.all.title": "이 워크스페이스의 최근 {days}일 사용량:",
    "usage.all.title@discord": "이 서버의 최근 {days}일 사용량:",
    "usage.all.line": "• {user}: 메시지 {messages}개, 토큰 {tokens}개{tools} (약 ${cost})",
    "usage.all.total": "합계: 메시지 {messages}개, 토큰 {tokens}개{tools} (약 ${cost}).",
    "usage.chart.title": "일별 사용량, 최근 {days}일 ({start} ~ {end}, UTC)",
    "usage.chart.others": "기타",
    "usage.tools": ", 웹 검색 {searches}회, 이미지 {images}개",
    "usage.tools.note": "하루 토큰 한도에서 웹 검색 한 번은 토큰 {search_tokens}개, 이미지 한 개는 토큰 {image_tokens}개로 셉니다.",
    "usage.all.empty": "최근 {days}일 동안 사용 내역이 없습니다.",
    "feedback.up.label": "좋은 답변",
    "feedback.down.label": "아쉬운 답변",
    "feedback.up.description": "이 답변이 도움이 되었다고 평가",
    "feedback.down.description": "이 답변이 도움이 되지 않았다고 평가",
    "feedback.saved.up": "고맙습니다! 이 답변에 👍 를 남겼습니다.",
    "feedback.saved.down": "고맙습니다! 이 답변에 👎 를 남겼습니다.",
    "feedback.changed.up": "변경됨: 이 답변의 평가는 이제 👍 입니다.",
    "feedback.changed.down": "변경됨: 이 답변의 평가는 이제 👎 입니다.",
    "feedback.not_yours": "질문한 사람만 이 답변을 평가할 수 있습니다.",
    "feedback.unknown": "이 답변은 더 이상 평가할 수 없습니다.",
    "feedback.failed": "지금은 평가를 저장하지 못했습니다. 다시 시도해 주세요.",
    "usage.feedback.title": "답변 평가, 최근 {days}일:",
    "usage.feedback.line": "• {profile}: 👍 {up} / 👎 {down}",
    "usage.feedback.workspace": "워크스페이스 프로필",
    "usage.feedback.workspace@discord": "서버 프로필",
    "usage.feedback.channel": "채널 프로필 {channel}",
    "mcp.usage": "사용법: mcp [channel] list | add 이름 URL [tools=a,b] [approval=always|never] [header=헤더:MCP_변수]… [approvers=asker|admins] | remove 이름. 헤더 값은 봇의 환경 변수에서 읽습니다(이름이 MCP_ 로 시작해야 하고, 서버 URL 은 https:// 여야 합니다). 여기에 비밀 값을 입력하지 마세요.",
    "mcp.bad_label": "“{label}” 은(는) 올바른 서버 이름이 아닙니다: 영문자로 시작하고 영문자, 숫자, - 또는 _ 만 쓸 수 있습니다(최대 64자).",
    "mcp.bad_url": "“{url}” 은(는) http(s) URL 이 아닙니다.",
    "mcp.bad_option": "“{option}” 을(를) 이해하지 못했습니다. 옵션: tools=a,b approval=always|never header=헤더:MCP_변수 approvers=asker|admins.",
    "mcp.bad_header": "“{option}” 은(는) header=헤더:MCP_변수 형식이어야 합니다(값이 아니라 값을 담은 환경 변수의 이름, MCP_ 로 시작).",
    "mcp.header_env_prefix": "{variable} 은(는) 헤더에 쓸 수 없습니다: 이름이 MCP_ 로 시작하는 환경 변수만 쓸 수 있습니다(봇 운영자에게 값을 그런 변수, 예: MCP_DEPLOYS_TOKEN 에 넣어 달라고 하세요).",
    "mcp.headers_need_https": "{label} 을(를) 추가하지 않았습니다: 헤더가 있는 서버는 값이 암호화되지 않은 채 전송되지 않도록 https:// URL 이어야 합니다.",
    "mcp.missing_env": "봇 서버에 환경 변수 {variable} 이(가) 설정되어 있지 않아 {label} 을(를) 추가하지 않았습니다. 설정하고 봇을 다시 시작한 뒤 다시 추가해 주세요.",
    "mcp.added": "{scope}에 MCP 서버 {label} 을(를) 추가했습니다: {details}",
    "mcp.added.chat": "참고: 이 프로필은 Chat Completions API 를 쓰므로 MCP 서버를 사용할 수 없습니다. Responses API 에서만 적용됩니다.",
    "mcp.details": "{url}; 도구: {tools}; 승인: {approval}; 승인할 수 있는 사람: {approvers}; 헤더: {headers}",
    "mcp.all_tools": "전체",
    "mcp.no_headers": "없음",
    "mcp.removed": "{scope}에서 MCP 서버 {label} 을(를) 삭제했습니다.",
    "mcp.not_found": "{scope}에 MCP 서버 {label} 이(가) 없습니다.",
    "mcp.list.title": "{scope}의 MCP 서버:",
    "mcp.list.empty": "{scope}에 MCP 서버가 없습니다.",
    "mcp.list.line": "• {label}: {details}",
    "mcp.not_on_chat": "Chat Completions API 에서는 MCP 서버를 쓸 수 없어, 이 답변은 MCP 없이 만들어졌습니다.",
    "mcp.missing_env_now": "MCP 서버 {label} 을(를) 빼고 답했습니다: 봇 서버에 환경 변수 {variable} 이(가) 없습니다. 관리자에게 알려 주세요.",
    "mcp.approval.request": "🔧 **{label}** 이(가) `{tool}` 을(를) `{arguments}` 로 실행하려고 합니다.",
    "mcp.approval.request.bare": "🔧 **{label}** 이(가) `{tool}` 을(를) 실행하려고 합니다.",
    "mcp.approval.ask": "{minutes}분 안에 승인하거나 거부해 주세요.",
    "mcp.approve": "승인",
    "mcp.deny": "거부",
    "mcp.approved": "✅ {user} 님이 승인했습니다. 계속합니다…",
    "mcp.denied": "❌ {user} 님이 거부했습니다. 그 도구 없이 계속합니다…",
    "mcp.expired": "⌛ 시간 안에 답이 없어 이 도구 호출은 만료되었고 실행되지 않았습니다. 필요하면 다시 물어봐 주세요.",
    "mcp.not_yours": "질문한 사람만 이 요청에 답할 수 있습니다.",
    "mcp.not_yours.admins": "질문한 사람이나 관리자만 이 요청에 답할 수 있습니다.",
    "mcp.already": "이 요청에는 이미 답했습니다.",
    "mcp.too_late": "이 요청은 만료되어 도구가 실행되지 않았습니다. 필요하면 다시 물어봐 주세요.",
    "mcp.unknown": "더 이상 알 수 없는 요청입니다.",
    "mcp.failed": "지금은 이 요청에 대한 답을 저장하지 못했습니다. 다시 시도해 주세요.",
    "mcp.click.approved": "승인했습니다. 답변을 계속합니다.",
    "mcp.click.denied": "거부했습니다. 그 도구 없이 답변을 계속합니다.",
    "config.show": (
        "{scope}의 어시스턴트:\n"
        "• 모델: {model} ({model_from})\n"
        "• 백엔드: {backend} ({backend_from})\n"
        "• 도구: {tools} ({tools_from})\n"
        "• 답변 방식: {run_mode} ({run_mode_from})\n"
        "• 튜터 정책: {tutor}\n"
        "• 언어: {language}\n"
        "• 보관: {retention}\n"
        "• 지식 베이스: {knowledge}\n"
        "• 사람당 하루 한도: {quota}\n"
        "• 지시문 ({instructions_from}):\n{instructions}"
    ),
    "config.hosted_unavailable": "여기서는 {tool} 을(를) 켤 수 없습니다. 이 프로필의 모델 서버는 Chat Completions 를 쓰며, OpenAI 의 호스팅 도구(코드 인터프리터, 파일 검색, 웹 검색, 이미지 생성)가 없습니다 (함수만 됩니다). 먼저 config api responses 로 바꿔 주세요.",
    "config.api_saved": "저장했습니다: {scope}은(는) 이제 {api} API를 씁니다{server}.",
    "config.api_hosted_off": " 그곳에는 코드 인터프리터, 파일 검색, 웹 검색, 이미지 생성이 없어서, 그동안은 꺼집니다.",
    "config.bad_api": "responses, chat_completions, default 중에서 골라 주세요.",
    "config.server_not_listed": "{url} 은(는) 이 봇이 쓸 수 있는 모델 서버가 아닙니다. 배포한 사람이 MODEL_BASE_URLS 에 적어 둔 서버: {allowed}.",
    "kb.no_hosted_tools": "지식 베이스에는 파일 검색이 필요한데, 이 어시스턴트의 모델 서버(Chat Completions)에는 없습니다.",
    "config.from.settings": "봇 기본값",
    "config.from.workspace": "워크스페이스 설정",
    "config.from.workspace@discord": "서버 설정",
    "config.from.channel": "이 채널 전용 설정",
    "config.from.parent": "상위 채널 전용 설정",
    "config.none": "없음",
    "config.unlimited": "제한 없음",
    "config.saved": "저장했습니다: {scope}의 {field} 값은 이제 {value}입니다.",
    "config.cleared": "이 채널은 이제 다시 워크스페이스 설정을 따릅니다.",
    "config.cleared@discord": "이 채널은 이제 다시 서버 설정을 따릅니다.",
    "config.unknown_tool": "알 수 없는 도구 {tool}입니다. 다음 중에서 고르세요: {choices}.",
    "config.bad_language": "en, ko, auto 중에서 고르세요.",
    "config.usage": "사용법: config show | instructions [TEXT] | model NAME | tools on|off TOOL | mode stream|poll|background|default | api responses|chat_completions|default | server URL|default | language en|ko|auto | retention DAYS|off | tutor … | prompts … | channel … | history | rollback N",
    "config.bad_mode": "답변 방식을 고르세요: stream (쓰는 대로 보임), poll (다 끝나면 보임, 긴 작업에 적합), background (스트리밍하며 재시작 후에도 이어짐), default (봇 기본값).",
    "config.bad_retention": "보관 기간을 일 단위로 적으세요 (예: config retention 90). off는 사람들이 초기화하거나 삭제할 때까지 대화를 보관합니다.",
    "config.retention.days": "쓰지 않은 대화는 {n}일 뒤 삭제",
    "config.retention.none": "초기화하거나 삭제할 때까지 보관",
    "forget.confirm": "이 플랫폼에서 제가 가진 당신의 모든 정보를 삭제합니다: 저와의 대화 (여기와 OpenAI 양쪽: 대화, 첨부한 파일, 검색 색인, 코드 컨테이너)와 메시지 기록. 되돌릴 수 없습니다. 계속하려면 {p}forget confirm을 보내세요.",
    "forget.confirm@discord": "Discord에서 제가 가진 당신의 모든 정보를 삭제합니다: 저와의 대화 (여기와 OpenAI 양쪽: 대화, 첨부한 파일, 검색 색인, 코드 컨테이너)와 메시지 기록. 되돌릴 수 없습니다. 계속하려면 {p}forget confirm:True를 실행하세요.",
    "forget.busy": "아직 진행 중이거나 대기 중인 답변이 있습니다. 끝날 때까지 기다리거나 {p}stop으로 멈춘 뒤 삭제하세요.",
    "forget.done": "완료: 대화 {n}개와 그에 속한 모든 것을 여기와 OpenAI에서 삭제했습니다. 이제 당신에 대해 기억하지 않습니다.",
    "export.done": "이 플랫폼의 대화 기록을 파일로 첨부했습니다 (대화 {n}개).",
    "export.empty": "이 플랫폼에 보관된 당신의 대화가 없습니다.",
    "config.tutor.usage": "사용법: config [channel] tutor hints|socratic|exam [HH:MM-HH:MM …] [시간대] | off | default. hints: 힌트와 다음 단계만, 전체 풀이 없음; socratic: 질문으로 이끌기; exam: 풀이와 힌트 모두 없음. 시간대를 주면 그때만 적용됩니다 (매일, 시간대를 적지 않으면 UTC, 예: Asia/Seoul).",
    "config.tutor.saved": "저장했습니다: {scope}의 튜터 정책은 이제 {policy}입니다.",
    "config.tutor.inherit": "워크스페이스 설정 (별도 설정 없음)",
    "config.tutor.inherit@discord": "서버 설정 (별도 설정 없음)",
    "tutor.withheld": "답변을 보류했습니다: 전체 풀이처럼 보여서({reason}) 이곳의 튜터 모드({preset})에서는 허용되지 않습니다. 대신 힌트나 다음 단계를 물어보세요.",
    "config.history.empty": "아직 변경 내역이 없습니다.",
    "config.history.line": "#{id} {when} {who}: {scope}의 {field} → {value}",
    "config.rollback.done": "#{id} 변경을 되돌렸습니다: {scope}의 {field} 값이 다시 {value}입니다.",
    "config.rollback.missing": "이곳에는 #{id} 변경이 없습니다.",
    "config.instructions.title": "어시스턴트 지시문",
    "config.instructions.label": "{scope}의 지시문",
    "scope.workspace": "워크스페이스 전체",
    "scope.workspace@discord": "서버 전체",
    "scope.channel": "이 채널",
    "quota.saved": "{scope}의 사람당 하루 한도: {limits}.",
    "quota.exceeded": "오늘 이곳의 한도({limit})에 도달했습니다. {resets} 후(UTC 00:00)에 초기화됩니다. 메시지는 보관되어 있으니, 그때 {p}retry를 보내면 답변을 받을 수 있습니다.",
    "quota.limit.messages": "메시지 {n}개",
    "quota.limit.tokens": "토큰 {n}개",
    "quota.usage": "사용법: quota [channel] messages N | tokens N | off; quota role ROLE messages N | tokens N | off; quota show",
    "quota.exceeded.shared": "함께 있는 서버 {server}의 오늘 한도({limit})에 도달했습니다. DM도 그 서버의 한도에 포함됩니다. {resets} 후(UTC 00:00)에 초기화됩니다. 메시지는 보관되어 있으니, 그때 {p}retry를 보내면 답변을 받을 수 있습니다.",
    "quota.left.messages": "메시지 {of}개 중 {n}개 남음",
    "quota.left.tokens": "토큰 {of}개 중 {n}개 남음",
    "quota.mine": "오늘 이곳: {left}.",
    "quota.mine.shared": "오늘 {server} (DM도 포함): {left}.",
    "quota.mine.none": "이곳에서는 하루 한도가 없습니다 (오늘 메시지 {messages}개).",
    "quota.mine.resets": "{resets} 후(UTC 00:00)에 초기화됩니다.",
    "quota.role.saved": "역할 {role}의 사람당 하루 한도: {limits} (이 역할의 사람에게는 워크스페이스와 채널 한도 대신 적용되며, 역할이 여럿이면 가장 넉넉한 한도가 적용됩니다).",
    "quota.role.saved@discord": "역할 {role}의 사람당 하루 한도: {limits} (이 역할의 사람에게는 서버와 채널 한도 대신 적용되며, 역할이 여럿이면 가장 넉넉한 한도가 적용됩니다).",
    "quota.role.off": "역할 {role}에는 이제 별도 한도가 없습니다.",
    "quota.show.workspace": "워크스페이스 전체: {limits}",
    "quota.show.workspace@discord": "서버 전체: {limits}",
    "quota.show.channel": "이 채널: {limits}",
    "quota.show.role": "역할 {role}: {limits}",
    "quota.show.inherit": "워크스페이스를 따름",
    "quota.show.inherit@discord": "서버를 따름",
    "kb.attach": "추가할 파일을 첨부하세요: 검색할 문서 (PDF, DOCX, PPTX, MD, TXT, HTML) 또는 Python으로 분석할 데이터 파일 (CSV, TSV, XLSX, XLS, JSON).",
    "kb.not_document": "{name}: 검색할 수 있는 문서 형식도, 분석할 수 있는 데이터 파일 형식도 아닙니다.",
    "kb.too_large": "{name} 파일이 너무 큽니다 (한도 {limit}).",
    "kb.failed": "{name}: 검색용으로 읽지 못했습니다 ({reason}).",
    "kb.added": "{name}: {scope}의 지식 베이스에 추가했습니다.",
    "kb.added_data": "{name}: {scope}의 데이터 파일로 추가했습니다. 이곳의 모든 대화에서 Python으로 분석할 수 있습니다.",
    "kb.replaced_data": "{name}: {scope}의 같은 이름 데이터 파일을 바꿨습니다.",
    "kb.data_needs_code": "참고: 이곳에서는 code_interpreter가 꺼져 있어, 켤 때까지 데이터 파일이 쓰이지 않습니다 (config tools on code_interpreter).",
    "kb.data_tag": "데이터 파일",
    "kb.empty": "{scope}의 지식 베이스가 비어 있습니다.",
    "kb.list": "{scope}의 지식 베이스:\n{names}",
    "kb.removed": "{scope}의 지식 베이스에서 {name}을(를) 삭제했습니다.",
    "kb.missing": "{scope}의 지식 베이스에 {name}이라는 문서가 없습니다.",
    "kb.usage": "사용법: knowledge add|list|remove NAME [workspace]",
    # 대화 열기(Slack 에이전트 메시지 환경)와 추천 질문.
    "welcome.greeting": "안녕하세요! AI 어시스턴트입니다. 무엇이든 물어보시거나, 읽거나 분석할 파일을 첨부하시거나, 채널을 열고 요약해 달라고 해 보세요. 여기서 보내는 메시지마다 새 스레드가 시작됩니다. {p}reset 은 새 대화를 시작합니다.",
    "welcome.prompts_title": "이렇게 물어보세요",
    "prompt.summarise.title": "이 채널 요약",
    "prompt.summarise.message": "이 채널의 최근 메시지를 요약하고, 중요한 메시지의 링크를 달아 주세요.",
    "prompt.explain.title": "설명해 주세요",
    "prompt.explain.message": "복리가 어떻게 계산되는지 설명해 주세요.",
    "prompt.analyse.title": "파일 분석",
    "prompt.analyse.message": "CSV 파일을 첨부할게요. 요약하고 차트를 그려 주세요.",
    "prompt.search.title": "문서 검색",
    "prompt.search.message": "우리 문서를 검색해서 어떤 내용을 다루는지 출처와 함께 요약해 주세요.",
    "prompt.solve.title": "문제 풀기",
    "prompt.solve.message": "3x + 11 = 14 를 단계별로 풀어 주세요.",
    "config.prompts.title": "추천 질문",
    "config.prompts.label": "한 줄에 하나씩: 제목 | 메시지 (최대 4개)",
    "config.prompts.saved": "워크스페이스 전체의 추천 질문을 저장했습니다: {titles}.",
    "config.prompts.cleared": "추천 질문이 기본값으로 돌아갔습니다.",
    "config.prompts.bad": '추천 질문은 최대 4개, "제목 | 메시지" 형식으로 입력해 주세요: 입력 창에서는 한 줄에 하나씩, 명령어에서는 ; 로 구분합니다 (제목은 75자까지).',
    # 보고 있는 대화 읽기.
    "read.nothing_viewed": "지금 어떤 채널을 보고 계신지 모르겠어요. 채널을 연 상태에서(옆에 저를 두고) 또는 그 채널에서 저를 멘션해서 다시 물어봐 주세요.",
    "read.no_thread": "지금은 스레드를 보고 계시지 않아요. 대신 채널을 요약해 드릴 수 있어요.",
    "read.not_member": "저는 {channel}의 멤버가 아니라서 읽을 수 없어요. 원하시면 그 채널에 저를 초대해 주세요.",
    "read.not_visible": "{channel}은(는) 읽어 드릴 수 없어요: 그 채널의 멤버가 아니시기 때문이에요.",
    "read.unavailable": "지금은 {channel}을(를) 읽지 못했어요. 잠시 후 다시 시도해 주세요.",
    "status.thinking": "생각하는 중…",
    "status.queued_model": "모델을 기다리는 중…",
    "status.code": "코드를 실행하는 중…",
    "status.search": "문서를 검색하는 중…",
    "status.function": "함수를 호출하는 중…",
    "status.web_search": "웹을 검색하는 중…",
    "status.image": "이미지를 만드는 중…",
    "status.working": "작업하는 중…",
    "step.code_interpreter": "파이썬 코드 실행",
    "step.file_search": "문서 검색",
    "step.file_search.named": "문서 검색: {name}",
    "step.function": "함수 호출",
    "step.function.named": "{name} 호출",
    "step.web_search": "웹 검색",
    "step.web_search.named": "웹 검색: {name}",
    "step.mcp": "연결된 도구 사용",
    "step.mcp.named": "{name} 사용",
    "step.image_generation": "이미지 생성",
    "step.reasoning": "생각하는 중",
    "step.other": "도구 사용",
    "steps.kind.code_interpreter": "코드",
    "steps.kind.file_search": "문서 검색",
    "steps.kind.function": "함수",
    "steps.kind.web_search": "웹 검색",
    "steps.kind.mcp": "연결된 도구",
    "steps.kind.image_generation": "이미지",
    "steps.kind.other": "도구",
    "steps.summary": "단계 {n}개: {kinds}",
    "steps.sources": "출처 {n}개",
    "steps.failed": "{n}개 실패",
    "steps.more_sources": "외 {n}개",
    "answer.empty_message": "질문을 보내거나, 읽을 수 있는 파일을 첨부하세요.",
    "answer.interrupted": "재시작으로 답변이 중단되었습니다. {p}retry를 보내면 다시 묻습니다.",
    "answer.cut_short": "{reason} 때문에 답변이 중간에 끝났습니다.",
    "answer.cut_short.length": "길이 제한",
    "answer.cut_short.other": "제한",
    "answer.round_limit": "여기서 멈췄습니다: 모델이 계속 함수를 호출하려 했습니다 (이 질문에 {n}번 요청). 좀 더 구체적으로 다시 물어봐 주세요.",
    "answer.quota_reached": "여기서 멈췄습니다: 이 답변으로 오늘 한도 {limit}에 도달했습니다. {resets} 후(00:00 UTC)에 초기화됩니다.",
    "answer.stopped": "답변을 멈췄습니다.",
    "answer.continued_here": "⏱️ {user}님, 이 답변은 Discord가 명령의 답을 고칠 수 있게 허용하는 15분을 넘겨서 여기에서 이어집니다.",
    "answer.sources": "출처",
    "answer.files_only": "첨부: {names}",
    "answer.web_sources": "웹 출처",
    "answer.tools_unavailable": "이 어시스턴트의 모델 서버(Chat Completions)에서는 쓸 수 없습니다: {tools}. 이 답변은 그 도구 없이 드립니다.",
    "tool.web_search": "웹 검색",
    "tool.image_generation": "이미지 생성",
    "image.unreadable": "생성된 이미지를 읽을 수 없어서 보여 드리지 못합니다.",
    "image.not_made": "이미지를 생성하지 못했습니다.",
    "answer.attached": "첨부됨",
    "file.no_hosted_tools": "이 어시스턴트의 모델 서버(Chat Completions)에서는 코드 인터프리터와 파일 검색을 쓸 수 없어서 다음 파일은 사용하지 않았습니다: {names}. 그림과 메시지에 붙여 넣은 글은 됩니다.",
    "file.too_large_to_upload": "{name} 파일은 너무 커서 여기에 올릴 수 없습니다.",
    "file.upload_failed": "{name} 파일을 올리지 못했습니다.",
    "file.unsupported": "{name} 파일은 읽을 수 없습니다: .{kind} 형식은 지원하지 않습니다.",
    "file.no_extension": "{name}은(는) 읽을 수 없습니다: 파일 확장자가 없어 어떤 종류의 파일인지 알 수 없습니다.",
    "file.not_shared": "Slack이 {name}의 내용을 공유하지 않았습니다.",
    "file.not_on_slack": "{name}은(는) 열지 않았습니다: 링크가 이 Slack 워크스페이스의 파일을 가리키지 않습니다.",
    "file.not_on_discord": "{name}은(는) 열지 않았습니다: Discord에 저장된 파일이 아닙니다. 메시지에 파일을 직접 첨부해 주세요.",
    "file.redirected": "{name}은(는) 열지 않았습니다: 다운로드가 다른 사이트({host})로 넘겨졌는데, 그곳에서는 파일을 받지 않습니다.",
    "file.too_large": "{name} 파일이 너무 큽니다 ({size}). {kind} 파일의 한도는 {limit}입니다.",
    "file.download_failed": "{name} 파일을 내려받지 못했습니다. 다시 보내 주세요.",
    "file.ready_data": "{name}: Python으로 분석할 준비가 되었습니다.",
    "file.ready_document": "{name}: 내 문서에 추가했습니다. 필요할 때 검색합니다.",
    "file.document_failed": "{name} 파일을 검색용으로 읽지 못했습니다 ({reason}).",
    "file.kind.image": "이미지",
    "file.kind.data": "데이터",
    "file.kind.document": "문서",
    "error.generic": "죄송합니다. 답변하는 중에 문제가 생겼습니다. 다시 시도해 주세요.",
    "error.model_unavailable": "지금 AI 서비스가 응답하지 않습니다. 잠시 후 다시 시도해 주세요.",
    "error.rate_limited": "AI 서비스가 바쁩니다 (요청 한도 초과). 잠시 후 다시 시도해 주세요.",
    "error.platform_rate_limited": "{service}이(가) 지금 제 게시 속도를 제한하고 있어 답변을 마치지 못했습니다. 잠시 후 다시 시도해 주세요.",
    "error.openai_quota": "봇의 OpenAI 계정이 크레딧 또는 할당량을 모두 써서 답할 수 없습니다. 관리자에게 알려 주세요.",
    "error.busy": "이전 답변을 아직 작성하고 있습니다. 잠시 후 다시 시도해 주세요.",
    "error.model_failed": "AI 모델이 답변하는 중에 오류가 났습니다. 다시 시도해 주세요.",
    "error.stream_interrupted": "답변이 끝나기 전에 AI 서비스와의 연결이 끊어졌습니다.",
    "error.credentials": "봇의 OpenAI 키가 거부되었습니다. 관리자에게 알려 주세요.",
    "error.model_not_found": "AI 서버에 {model} 모델이 없습니다. 관리자에게 알려 주세요 (config model NAME 으로 다른 모델을 고를 수 있습니다).",
    "error.context_too_long": "오래된 메시지를 빼도 대화가 모델이 읽기에 너무 깁니다. reset 으로 새 대화를 시작해 주세요.",
}
